//! What `-o PATH` says about the format: every command that writes a file picks its format from
//! the extension when `--format` is not given, and refuses a name whose extension says one
//! format while `--format` asks for another, or an extension it does not write, before anything
//! is written (exit 2).

use std::path::Path;

use crate::error::Error;

/// One format of a command's table.
pub(super) struct Row<F> {
    /// The format.
    pub format: F,
    /// Its name on the command line.
    pub name: &'static str,
    /// The extensions that choose it without `--format`.
    pub infer: &'static [&'static str],
    /// The extensions it may be written under with `--format` (`infer` and more: a SARIF report
    /// is JSON, so `report.json` suits `--format sarif`).
    pub accept: &'static [&'static str],
}

/// The format to write `output` in: `--format`'s (`explicit`) when the extension does not name
/// another, else the one the extension names, else `default` for a name without extension or
/// standard output (`-`).
pub(super) fn pick<F: Copy + PartialEq>(
    explicit: Option<F>,
    output: Option<&Path>,
    default: F,
    table: &[Row<F>],
) -> Result<F, Error> {
    let Some(path) = output.filter(|p| p.as_os_str() != "-") else {
        return Ok(explicit.unwrap_or(default));
    };
    let Some(ext) = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()) else {
        return Ok(explicit.unwrap_or(default));
    };
    let accepting: Vec<&Row<F>> = table.iter().filter(|r| r.accept.contains(&&*ext)).collect();
    let shown = path.display();
    if let Some(f) = explicit {
        let row = table.iter().find(|r| r.format == f).expect("every format has a row");
        if accepting.is_empty() || accepting.iter().any(|r| r.format == f) {
            return Ok(f);
        }
        let names: Vec<&str> = accepting.iter().map(|r| r.name).collect();
        return Err(Error::Usage(format!(
            "`-o {shown}` names a {} file but `--format {}` writes {}; name the file `.{}`, or \
             leave out --format",
            names.join(" or "),
            row.name,
            row.name,
            row.accept.first().copied().unwrap_or("txt"),
        )));
    }
    if let Some(row) = table.iter().find(|r| r.infer.contains(&&*ext)) {
        return Ok(row.format);
    }
    if !accepting.is_empty() {
        let names: Vec<String> =
            accepting.iter().map(|r| format!("`--format {}`", r.name)).collect();
        return Err(Error::Usage(format!(
            "`-o {shown}`: a `.{ext}` file may hold {}; choose one",
            names.join(" or ")
        )));
    }
    let mut known: Vec<String> =
        table.iter().flat_map(|r| r.infer).map(|e| format!(".{e}")).collect();
    known.dedup();
    Err(Error::Usage(format!(
        "`-o {shown}`: archmap does not write `.{ext}` files; the extensions it knows are {} \
         (or name the format with --format)",
        known.join(", ")
    )))
}

/// For a command that writes one format (`name`, files ending in `exts`): refuses an output
/// path whose extension is another.
pub(super) fn only(
    output: Option<&Path>,
    name: &'static str,
    exts: &'static [&'static str],
) -> Result<(), Error> {
    pick(None, output, (), &[Row { format: (), name, infer: exts, accept: exts }])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum F {
        Text,
        Json,
        Sarif,
        Junit,
        Checkstyle,
    }

    const TABLE: &[Row<F>] = &[
        Row { format: F::Text, name: "text", infer: &["txt"], accept: &["txt"] },
        Row { format: F::Json, name: "json", infer: &["json"], accept: &["json"] },
        Row { format: F::Sarif, name: "sarif", infer: &["sarif"], accept: &["sarif", "json"] },
        Row { format: F::Junit, name: "junit", infer: &[], accept: &["xml"] },
        Row { format: F::Checkstyle, name: "checkstyle", infer: &[], accept: &["xml"] },
    ];

    fn pick_for(explicit: Option<F>, path: &str) -> Result<F, String> {
        pick(explicit, Some(Path::new(path)), F::Text, TABLE).map_err(|e| e.to_string())
    }

    #[test]
    fn the_extension_chooses_unless_the_format_is_named() {
        assert_eq!(pick_for(None, "r.JSON"), Ok(F::Json));
        assert_eq!(pick_for(None, "r.sarif"), Ok(F::Sarif));
        assert_eq!(pick_for(None, "report"), Ok(F::Text));
        assert_eq!(pick_for(None, "-"), Ok(F::Text));
        assert_eq!(pick_for(Some(F::Sarif), "r.json"), Ok(F::Sarif));
        assert_eq!(pick_for(Some(F::Junit), "r.xml"), Ok(F::Junit));
        // A name the table does not know is the user's choice once the format is named.
        assert_eq!(pick_for(Some(F::Json), "r.out"), Ok(F::Json));
    }

    #[test]
    fn unknown_ambiguous_and_contradicting_names_are_refused() {
        let e = pick_for(None, "d.pdf").unwrap_err();
        assert!(e.contains("does not write `.pdf`") && e.contains(".txt, .json, .sarif"), "{e}");
        let e = pick_for(None, "r.xml").unwrap_err();
        assert!(e.contains("`--format junit` or `--format checkstyle`"), "{e}");
        let e = pick_for(Some(F::Text), "r.json").unwrap_err();
        assert!(e.contains("names a json or sarif file but `--format text`"), "{e}");
    }
}
