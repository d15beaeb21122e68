//! Source files and locations.
//!
//! Input: the text of every manifest file read for one run. Output: [`Span`]s (a file and a
//! byte range) that later stages carry around, and [`Sources`], which turns a span back into a
//! line and column for reports. Invariant: a [`SourceFile`] is immutable once added, and it is
//! the only owner of its text.

use std::fmt;

/// Index of a file in [`Sources`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// The file the range is in.
    pub file: FileId,
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` in `file`.
    #[must_use]
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Self { file, start, end: end.max(start) }
    }

    /// Length in bytes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether the span covers no byte.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// A value together with where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it stands in the source.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Pairs `value` with `span`.
    pub fn new(value: T, span: Span) -> Self {
        Self { value, span }
    }

    /// Maps the value, keeping the span.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Spanned<U> {
        Spanned { value: f(self.value), span: self.span }
    }
}

impl<T: fmt::Display> fmt::Display for Spanned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

/// A 1-based line and column; the column counts characters (Unicode scalar values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// 1-based line.
    pub line: usize,
    /// 1-based column in characters.
    pub column: usize,
}

/// Bytes per checkpoint of [`SourceFile`]'s character counts (the checkpoints take 8 bytes per
/// 256 of text).
const CHAR_CHUNK: usize = 256;

/// One manifest file's name (as the user gave it) and text.
#[derive(Debug)]
pub struct SourceFile {
    name: String,
    text: String,
    line_starts: Vec<usize>,
    /// Characters before byte `k * CHAR_CHUNK`, for each `k`: a column costs at most two chunks
    /// of counting, however long its line (100,000 labels on one line stay linear).
    chars_before_chunk: Vec<usize>,
}

impl SourceFile {
    /// A source file named `name` (a path as given, or `<stdin>`).
    #[must_use]
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let mut chars_before_chunk = Vec::with_capacity(text.len() / CHAR_CHUNK + 1);
        let mut count = 0;
        for chunk in text.as_bytes().chunks(CHAR_CHUNK) {
            chars_before_chunk.push(count);
            count += chars_in(chunk);
        }
        chars_before_chunk.push(count);
        Self { name: name.into(), text, line_starts, chars_before_chunk }
    }

    /// Characters in the first `offset` bytes (`offset` within the text).
    fn chars_before(&self, offset: usize) -> usize {
        let chunk = offset / CHAR_CHUNK;
        self.chars_before_chunk[chunk] + chars_in(&self.text.as_bytes()[chunk * CHAR_CHUNK..offset])
    }

    /// The file's name as shown in reports.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file's text.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Line and column of byte `offset` (clamped to the text, and to a character boundary).
    #[must_use]
    pub fn line_col(&self, offset: usize) -> LineCol {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        // A short line is counted from its start; a long one from the checkpoints around.
        let column = if offset - start <= CHAR_CHUNK {
            chars_in(&self.text.as_bytes()[start..offset]) + 1
        } else {
            self.chars_before(offset) - self.chars_before(start) + 1
        };
        LineCol { line: line + 1, column }
    }

    /// The 0-based line holding byte `offset` (clamped to the text).
    #[must_use]
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset.min(self.text.len())) - 1
    }

    /// Length in bytes of 0-based line `line`, without its line break (0 past the last line).
    #[must_use]
    pub fn line_len(&self, line: usize) -> usize {
        let start = self.line_start(line);
        let end = self.line_starts.get(line + 1).map_or(self.text.len(), |&next| next - 1);
        end.saturating_sub(start)
    }

    /// Byte offset where 0-based line `line` starts (the text's end past the last line).
    #[must_use]
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts.get(line).copied().unwrap_or(self.text.len())
    }

    /// Byte offset of a 1-based line and character column (clamped to the text).
    #[must_use]
    pub fn offset(&self, line: usize, column: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        let line_text = rest.split('\n').next().unwrap_or("");
        line_text
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(start + line_text.len(), |(i, _)| start + i)
    }
}

/// Characters in `bytes`, which may start or end inside a character: every byte that does not
/// continue a UTF-8 sequence starts one.
fn chars_in(bytes: &[u8]) -> usize {
    crate::work::add(crate::work::Work::LineColumn, bytes.len());
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

/// Every file read in one run, addressed by [`FileId`].
#[derive(Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    /// An empty set.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId((self.files.len() - 1) as u32)
    }

    /// The file with id `id`.
    ///
    /// # Panics
    /// When `id` was not handed out by this set, which is a bug.
    #[must_use]
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// All files in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i as u32), f))
    }

    /// Start and end line/column of a span.
    #[must_use]
    pub fn range(&self, span: Span) -> (LineCol, LineCol) {
        let file = self.get(span.file);
        (file.line_col(span.start), file.line_col(span.end))
    }

    /// The text a span covers.
    #[must_use]
    pub fn slice(&self, span: Span) -> &str {
        let text = self.get(span.file).text();
        text.get(span.start..span.end).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let f = SourceFile::new("a.yaml", "ab\ncé: x\n\nz");
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(3), LineCol { line: 2, column: 1 });
        // 'é' is two bytes; the ':' after it is the third character.
        assert_eq!(f.line_col(6), LineCol { line: 2, column: 3 });
        assert_eq!(f.line_col(10), LineCol { line: 3, column: 1 });
        assert_eq!(f.line_col(11), LineCol { line: 4, column: 1 });
        assert_eq!(f.line_col(12), LineCol { line: 4, column: 2 });
        assert_eq!(f.line_col(999), LineCol { line: 4, column: 2 });
        // Inside a multi-byte character: clamped back to its start.
        assert_eq!(f.line_col(5), LineCol { line: 2, column: 2 });
    }

    #[test]
    fn columns_far_into_a_long_line_count_characters() {
        // Several checkpoints into one line, with multi-byte characters across their borders.
        let line = "é".repeat(5_000) + "x" + &"a".repeat(9_000);
        let f = SourceFile::new("a.yaml", format!("k\n{line}\nz"));
        assert_eq!(f.line_col(2 + 10_000), LineCol { line: 2, column: 5_001 });
        assert_eq!(f.line_col(2 + 10_001 + 4_000), LineCol { line: 2, column: 9_002 });
        assert_eq!(f.line_col(f.text().len()), LineCol { line: 3, column: 2 });
        assert_eq!(f.line_len(1), line.len());
        assert_eq!(f.line_len(2), 1);
        assert_eq!(f.line_len(9), 0);
    }

    #[test]
    fn offset_inverts_line_col() {
        let f = SourceFile::new("a.yaml", "ab\ncé: x\n\nz");
        for offset in [0, 1, 3, 4, 6, 7, 10, 11, 12] {
            let lc = f.line_col(offset);
            assert_eq!(f.offset(lc.line, lc.column), offset);
        }
    }
}
