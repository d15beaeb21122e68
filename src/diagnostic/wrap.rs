//! How long messages wrap in human reports: at spaces only, never inside a word, an id, a rule
//! id or a `quoted name`, so that what is copied from a terminal is what was written.

use miette::GraphicalReportHandler;
use textwrap::WordSeparator;
use textwrap::core::Word;

/// `handler`, wrapping only between words (see [`words`]) and never breaking a word: a long id
/// overflows the line rather than being cut.
pub(crate) fn whole_words(handler: GraphicalReportHandler) -> GraphicalReportHandler {
    handler
        .with_break_words(false)
        .with_word_separator(WordSeparator::Custom(words))
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
}

/// The words of `line` for wrapping: runs of text ended by spaces, where a space between
/// backticks belongs to the word (`` `payment api` `` stays on one line). Hyphens, slashes and
/// dots never end a word, unlike the Unicode line-breaking rules (which break `fan-in`).
pub(crate) fn words(line: &str) -> Box<dyn Iterator<Item = Word<'_>> + '_> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_code = false;
    let mut prev_space = false;
    for (i, c) in line.char_indices() {
        if prev_space && c != ' ' && !in_code {
            out.push(Word::from(&line[start..i]));
            start = i;
        }
        if c == '`' {
            in_code = !in_code;
        }
        prev_space = c == ' ' && !in_code;
    }
    if start < line.len() {
        out.push(Word::from(&line[start..]));
    }
    Box::new(out.into_iter())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Vec<&str> {
        words(s).map(|w| w.word).collect()
    }

    #[test]
    fn words_end_at_spaces_outside_backticks() {
        assert_eq!(
            split("rule fan-in: `payment api` has 12 dependents/users"),
            ["rule", "fan-in:", "`payment api`", "has", "12", "dependents/users"]
        );
        assert_eq!(split("a  b"), ["a", "b"]);
    }

    #[test]
    fn a_long_message_wraps_between_whole_ids() {
        let handler = whole_words(GraphicalReportHandler::new_themed(
            miette::GraphicalTheme::unicode_nocolor(),
        ))
        .with_width(40);
        let err = miette::miette!(
            "component `payments-gateway-adapter` breaks rule `sync-chain-depth-exceeded` again"
        );
        let mut text = String::new();
        handler.render_report(&mut text, err.as_ref()).unwrap();
        for id in ["`payments-gateway-adapter`", "`sync-chain-depth-exceeded`"] {
            assert!(text.contains(id), "{id} was cut:\n{text}");
        }
    }
}
