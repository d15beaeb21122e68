//! The reader's unit tests, and the comparison with the serde-saphyr reader it replaced.

use super::*;

fn parse_str(text: &str) -> Result<Node, YamlError> {
    parse(FileId(0), &SourceFile::new("t.yaml", text), &mut MAX_VALUES.clone())
}

#[test]
fn values_are_counted_across_files() {
    let file = SourceFile::new("t.yaml", "a: [1, 2, 3]\n");
    let mut left = 100;
    assert!(parse(FileId(0), &file, &mut left).is_ok());
    // The map, its key, the list and three numbers.
    assert_eq!(left, 94);
    let mut left = 5;
    let err = parse(FileId(0), &file, &mut left).unwrap_err();
    assert!(err.message.contains(VALUES_MESSAGE), "{err:?}");
    // Aliases count each time they are replayed.
    let aliased = SourceFile::new("t.yaml", "a: &x [1, 2]\nb: *x\nc: *x\n");
    let mut left = 100;
    assert!(parse(FileId(0), &aliased, &mut left).is_ok());
    assert_eq!(left, 100 - 1 - 3 * 4);
}

#[test]
fn merging_defaults_into_thousands_of_components_is_no_bomb() {
    use std::fmt::Write as _;
    let mut text = String::from("x-d: &d {owner: team, tech: Go, replicas: 2, tags: [a, b]}\ns:\n");
    for i in 0..8_000 {
        let _ = writeln!(text, "  s{i}:\n    <<: *d");
    }
    let r = parse_str(&text);
    assert!(r.is_ok(), "{r:?}");
}

fn slice<'a>(text: &'a str, node: &Node) -> &'a str {
    &text[node.span.start..node.span.end]
}

#[test]
fn keys_and_values_carry_spans() {
    let text = "version: 1\nname: \"Shop é\"\nservices:\n  a: {kind: database}\n  b:\n    depends_on: [a]\n";
    let node = parse_str(text).unwrap();
    let Value::Map(entries) = &node.value else { panic!("not a map") };
    assert_eq!(entries.len(), 3);
    assert_eq!(slice(text, &entries[0].0), "version");
    assert_eq!(entries[0].1.value, Value::Int(1));
    assert_eq!(slice(text, &entries[0].1), "1");
    assert_eq!(entries[1].1.value, Value::Str("Shop é".into()));
    let Value::Map(services) = &entries[2].1.value else { panic!("not a map") };
    assert_eq!(slice(text, &services[1].0), "b");
    let Value::Map(b) = &services[1].1.value else { panic!("not a map") };
    let Value::Seq(deps) = &b[0].1.value else { panic!("not a list") };
    assert_eq!(slice(text, &deps[0]), "a");
}

#[test]
fn duplicate_keys_are_kept_in_order() {
    let text = "a: 1\nb: 2\na: 3\n";
    let node = parse_str(text).unwrap();
    let Value::Map(entries) = &node.value else { panic!("not a map") };
    let keys: Vec<_> = entries.iter().map(|(k, _)| slice(text, k)).collect();
    assert_eq!(keys, ["a", "b", "a"]);
    assert_eq!(entries[2].0.span.start, 10);
}

#[test]
fn yaml_1_1_booleans_stay_strings() {
    let node = parse_str("a: yes\nb: true\n").unwrap();
    let Value::Map(entries) = &node.value else { panic!("not a map") };
    assert_eq!(entries[0].1.value, Value::Str("yes".into()));
    assert_eq!(entries[1].1.value, Value::Bool(true));
}

#[test]
fn syntax_errors_have_locations() {
    let err = parse_str("a: 1\nb: [1, 2\n").unwrap_err();
    assert!(err.span.start > 0, "{err:?}");
    let err = parse_str("a:\n\t- x\n").unwrap_err();
    assert!(!err.message.is_empty());
}

#[test]
fn empty_and_comment_only_files_are_null() {
    assert_eq!(parse_str("").unwrap().value, Value::Null);
    assert_eq!(parse_str("# nothing\n\n").unwrap().value, Value::Null);
}

#[test]
fn bombs_and_deep_nesting_stop_with_errors() {
    use std::fmt::Write as _;
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 0..9 {
        let prev = if i == 0 { "a".to_string() } else { format!("l{}", i - 1) };
        let _ = writeln!(
            bomb,
            "l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]"
        );
    }
    assert!(parse_str(&bomb).is_err());
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(parse_str(&deep).is_err());
    let mut block = String::new();
    for i in 0..5_000 {
        block.push_str(&" ".repeat(i));
        block.push_str("k:\n");
    }
    assert!(parse_str(&block).is_err());
}

// The comparison with the serde-saphyr reader archmap used before.

/// Both readers on `text` with `budget` values: the same tree and budget left, or the same
/// error (message and place). Returns a description of the difference.
fn differ(text: &str, budget: usize) -> Option<String> {
    let file = SourceFile::new("t.yaml", text);
    let (mut new_left, mut old_left) = (budget, budget);
    let new = parse(FileId(0), &file, &mut new_left);
    // The old reader cut " at line …" out of "… (defined at line …)" for errors inside an
    // alias, leaving "(defined" at the end of the message: the new reader does not.
    let old = legacy::parse(FileId(0), &file, &mut old_left).map_err(|mut e| {
        if let Some(m) = e.message.strip_suffix(" (defined") {
            e.message = m.to_string();
        }
        e
    });
    match (&new, &old) {
        (Ok(a), Ok(b)) if a == b && new_left == old_left => None,
        (Err(a), Err(b)) if a == b => None,
        _ => Some(format!(
            "new: {:.600}\nold: {:.600}\nleft: new {new_left}, old {old_left}",
            format!("{new:?}"),
            format!("{old:?}")
        )),
    }
}

/// Every `.yaml`/`.yml` file under `dir`, sorted.
fn yaml_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
}

/// The documents a file is read as: Kubernetes files one document at a time, as the importer
/// reads them; every other file whole.
fn documents_of(path: &std::path::Path, text: &str) -> Vec<String> {
    let mut docs = vec![text.to_string()];
    if path.components().any(|c| c.as_os_str() == "k8s") {
        docs.extend(
            crate::import::kubernetes::documents(text)
                .into_iter()
                .map(|(s, e)| text[s..e].to_string()),
        );
    }
    docs
}

#[test]
fn both_readers_agree_on_every_yaml_file_of_the_repository() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["examples", "tests", "fuzz/seeds", "docs", "templates"] {
        yaml_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 100, "found only {} files", files.len());
    let mut failures = Vec::new();
    let mut compared = 0;
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        for (i, doc) in documents_of(path, &text).iter().enumerate() {
            compared += 1;
            if let Some(d) = differ(doc, MAX_VALUES) {
                failures.push(format!("{} (document {i}):\n{d}", path.display()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {compared} differ:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn both_readers_agree_on_truncated_files() {
    // Every example cut at many places: the same tree or the same error.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    yaml_files(&root.join("examples"), &mut files);
    yaml_files(&root.join("fuzz/seeds"), &mut files);
    let mut failures = Vec::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        let step = (text.len() / 40).max(1);
        for cut in (0..text.len()).step_by(step) {
            let Some(doc) = text.get(..cut) else { continue };
            if let Some(d) = differ(doc, MAX_VALUES) {
                failures.push(format!("{} cut at {cut}:\n{d}", path.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{} differ:\n{}", failures.len(), failures.join("\n\n"));
}

/// Which truncations of the tricky documents are compared: all of them in a release build,
/// one in 16 in a debug one. Both readers are slow in a debug build on the cut alias bombs (a
/// third of a second per cut, each replaying up to [`MAX_ALIAS_EVENTS`]), and every truncation
/// took about 160 s of the debug suite on two cores; one in 16 takes about a tenth of that.
const CUT_STRIDE: usize = if cfg!(debug_assertions) { 16 } else { 1 };

/// Documents that exercise every rule of the reader.
#[allow(clippy::too_many_lines)] // A list of cases.
fn tricky() -> Vec<String> {
    use std::fmt::Write as _;
    let mut docs: Vec<String> = [
        // Scalars: nulls, booleans, numbers in every form, quoting, tags.
        "a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: ''\ng: \"\"\nh: nul\n",
        "a: true\nb: True\nc: TRUE\nd: false\ne: yes\nf: no\ng: on\nh: off\ni: tRue\nj: 'true'\n",
        "a: 1\nb: -1\nc: +1\nd: 0\ne: -0\nf: 007\ng: -007\nh: 1_000\ni: 1__0\nj: _1\nk: 1_\n",
        "a: 0x1F\nb: 0X1F\nc: 0o17\nd: 0O17\ne: 0b101\nf: 0B101\ng: -0x1F\nh: +0x1F\ni: 0x\nj: 0xG\nk: 0o8\n",
        "a: 9223372036854775807\nb: 9223372036854775808\nc: 18446744073709551615\nd: 18446744073709551616\ne: -9223372036854775808\nf: -9223372036854775809\ng: 99999999999999999999999999999999999999999\nh: 0xFFFFFFFFFFFFFFFFF\n",
        "a: 1.5\nb: -1.5\nc: .5\nd: 1.\ne: 1e3\nf: 1E-3\ng: +1.5e+3\nh: 1_000.5\ni: 1e999\nj: -1e999\nk: 1.5.5\nl: e5\n",
        "a: .inf\n",
        "a: -.Inf\n",
        "a: .NaN\n",
        "a: -.nan\n",
        "a: inf\nb: nan\nc: infinity\nd: NaN\ne: +.inf1\n",
        "a: !!str 1\nb: !!int '7'\nc: !!float '1.5'\nd: !!bool 'true'\ne: !!null 'x'\nf: !custom 5\ng: ! 5\nh: !!str\ni: !!binary aGVsbG8=\n",
        "a: !!int x\n",
        "a: !!int -3\nb: !!int 0x10\n",
        "a: !!bool yes\n",
        "a: !!float x\n",
        "a: !!float .inf\n",
        "a: !!binary '*'\n",
        "a: !!binary /w==\n",
        "a: !!timestamp 2001-12-14\n",
        "a: !!seq x\n",
        "a: !!map [1]\n",
        "a: !!int [1]\n",
        "a: !!seq [1]\nb: !!map {c: 1}\n",
        "a: !include x\n",
        "a: !include [x]\n",
        "%TAG !e! tag:example.com,2000:\n---\na: !e!thing 5\n",
        "a: !<tag:yaml.org,2002:str> 5\n",
        "a: !!time 5\n",
        "a: 'single'\nb: \"double \\u00e9 \\t\"\nc: plain text here\nd: |\n  literal\n  block\n\ne: >\n  folded\n  block\nf: |-\n  strip\ng: |+\n  keep\n\n",
        "k: |\n  text",
        // Flow collections, comments, CRLF, BOM, non-ASCII.
        "a: [1, 2, {b: c, d: [e, f]}]\ng: {h: [], i: {}}\n",
        "# c\na: 1 # c\n# c\nb: [1, # c\n 2]\n",
        "a: 1\r\nb:\r\n  - x\r\n  - y\r\n",
        "\u{feff}a: 1\nb: 2\n",
        "nom: \"Café é\"\nclé: 日本語\n'ключ': значение\n",
        "- a\n- b:\n    c: d\n- [e]\n-\n- - f\n",
        "? complex\n: value\n? [a, b]\n: list key\n? {c: d}\n: map key\n",
        "[a, b]: 1\n{c: 1, d: 2}: 2\n{d: 2, c: 1}: 3\n",
        // Duplicates.
        "a: 1\nb: 2\na: 3\n",
        "a: 1\n'a': 2\n\"a\": 3\n",
        "1: a\n0x1: b\n01: c\n+1: d\n",
        "x: 1\n1: a\ny: 2\nx: 3\n1: b\n",
        "x: 1\n1: a\nx: 2\n",
        "a: {1: x, 2: y, 1: z}\n",
        "true: 1\n'true': 2\n",
        "~: 1\nnull: 2\n'': 3\n: 4\n",
        "1.0: a\n1.00: b\n",
        // Anchors and aliases.
        "a: &x 1\nb: *x\nc: *x\n",
        "a: &x [1, 2]\nb: *x\nc: {d: *x}\n",
        "a: &x {b: 1, c: [2, 3]}\nd: *x\ne: [*x, *x]\n",
        "a: &k key\n*k : value\n",
        "a: &x 1\na2: &x 2\nb: *x\n",
        "a: *nope\n",
        "a: &x [1, *x]\n",
        "a: &x {b: *x}\n",
        "a: &x !!str 5\nb: *x\n",
        "a: &x !!int x\nb: *x\n",
        "- &a 1\n- &b [*a, *a]\n- &c {x: *b, y: *b}\n- *c\n",
        // Merge keys.
        "base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\n  z: 4\n",
        "a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]\n  z: 3\n",
        "c:\n  <<: [{x: 1}, {x: 2, y: 2}]\n",
        "c:\n  <<: {x: 1, x: 2}\n",
        "c:\n  x: 0\n  <<: {x: 1, y: 1}\n  <<: {y: 2, z: 2}\n",
        "c:\n  <<: ~\n  a: 1\n",
        "c:\n  <<: [~, {a: 1}]\n",
        "c:\n  <<: 5\n",
        "c:\n  <<: [5]\n",
        "c:\n  <<: [[{a: 1}], {b: 2}]\n",
        "a: &a 5\nc:\n  <<: *a\n",
        "c:\n  '<<': {a: 1}\n",
        "c:\n  !!merge <<: {a: 1}\n",
        "a: &a {x: {deep: [1, 2]}, y: 2}\nb: &b {<<: *a, z: 3}\nc: {<<: *b, w: 4}\nd: *b\n",
        "a: &a {x: 1}\nb: {<<: {<<: *a, y: 2}, z: 3}\n",
        "a: &a {x: 1, 1: one}\nb: {<<: *a, 0x1: uno}\n",
        "a: &a {x: 1}\nb: {1: a, <<: *a, x: 2, 1: b}\n",
        "a: &a {x: 1}\nb: {<<: *a, <<: *a}\n",
        "a: &a [1, 2]\nb:\n  <<: *a\n",
        "a: &a {b: &b {c: 1}}\nd:\n  <<: *b\n  e: *a\n",
        "a: {<<: {x: !!int y}}\n",
        "a: &m {x: !!int y}\nb: {<<: *m}\n",
        "a: &m {x: !!int y}\nb: *m\n",
        "a: &m !!int y\nb: [*m]\n",
        // Documents.
        "---\na: 1\n",
        "---\na: 1\n...\n",
        "a: 1\n---\nb: 2\n",
        "---\n---\n",
        "---\n",
        "...\n",
        "--- |\n  text\n",
        "--- 5\n",
        "%YAML 1.2\n---\na: 1\n",
        "%YAML 1.1\n---\na: yes\n",
        // Errors.
        "a: 1\nb: [1, 2\n",
        "a:\n\t- x\n",
        "a: 'unclosed\n",
        "a: \"bad \\q escape\"\n",
        "a: b: c\n",
        "- a\nb: c\n",
        "a:\n  - b\n c: d\n",
        "{a: 1\n",
        "a: @b\n",
        "a: `b\n",
        "&a a: 1\n&a b: *a\n",
        "a: *\n",
        "a: &\n",
        "a: !<> x\n",
        "a: !e!x 1\n",
        "]\n",
        "a: 1\n]\n",
    ]
    .iter()
    .map(|s| (*s).to_string())
    .collect();
    // Deep nesting at and beyond the bound, flow and block.
    for depth in [63, 64, 65, 66, 200, 300, 10_000] {
        docs.push(format!("{}{}", "[".repeat(depth), "]".repeat(depth)));
        docs.push(format!("{}1{}", "{a: ".repeat(depth), "}".repeat(depth)));
    }
    for depth in [63, 64, 65, 300] {
        let mut block = String::new();
        for i in 0..depth {
            block.push_str(&" ".repeat(i));
            block.push_str("k:\n");
        }
        docs.push(block);
        let mut list = String::new();
        for i in 0..depth {
            list.push_str(&"  ".repeat(i));
            list.push_str("-\n");
        }
        docs.push(list);
    }
    // Alias bombs, below and above the replay bound.
    for (width, levels) in [(10, 3), (10, 4), (10, 5), (10, 9), (3, 20), (2, 17)] {
        let mut bomb = format!("a: &a [{}]\n", vec!["x"; width].join(", "));
        for i in 0..levels {
            let prev = if i == 0 { "a".to_string() } else { format!("l{}", i - 1) };
            let refs = vec![format!("*{prev}"); width].join(", ");
            let _ = writeln!(bomb, "l{i}: &l{i} [{refs}]");
        }
        docs.push(bomb.clone());
        // The same bomb merged.
        let mut merged = String::from("d: &d {x: 1}\n");
        for i in 0..(levels * 5000) {
            let _ = writeln!(merged, "s{i}: {{<<: *d}}");
            if i > 3 && width == 10 {
                break;
            }
        }
        docs.push(merged);
    }
    let mut many_merges =
        String::from("d: &d {owner: team, tech: Go, replicas: 2, tags: [a, b]}\ns:\n");
    for i in 0..3_000 {
        let _ = writeln!(many_merges, "  s{i}:\n    <<: *d");
    }
    docs.push(many_merges);
    let mut many_anchors = String::new();
    for i in 0..50_002 {
        let _ = writeln!(many_anchors, "- &a{i} {i}");
    }
    docs.push(many_anchors);
    // Truncations of the tricky documents themselves: every one, or in a debug build one in
    // `CUT_STRIDE`, each document cut at a different phase so that all residues are covered.
    let cuts: Vec<String> = docs
        .iter()
        .filter(|d| d.len() < 400)
        .enumerate()
        .flat_map(|(k, d)| {
            (1..d.len())
                .filter(move |i| (i + k) % CUT_STRIDE == 0)
                .filter_map(move |i| d.get(..i))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    docs.extend(cuts);
    docs
}

/// The tricky documents, whole and truncated. A debug build (`cargo test`, as CI runs it)
/// compares one truncation in [`CUT_STRIDE`] of each; the exhaustive comparison, every
/// truncation of every document, runs in a release build:
/// `cargo test --release --lib both_readers_agree_on_tricky_documents`.
#[test]
fn both_readers_agree_on_tricky_documents() {
    let mut failures = Vec::new();
    let docs = tricky();
    for doc in &docs {
        if let Some(d) = differ(doc, MAX_VALUES) {
            failures.push(format!("{:?}:\n{d}", doc.chars().take(200).collect::<String>()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        docs.len(),
        failures.iter().take(30).cloned().collect::<Vec<_>>().join("\n\n")
    );
}

#[test]
fn both_readers_count_values_alike() {
    // The run-wide value budget stops both readers at the same node.
    let docs = [
        "a: [1, 2, 3]\n",
        "a: &x [1, 2]\nb: *x\nc: *x\n",
        "base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\n  z: 4\n",
        "x: 1\n1: a\ny: [2, 3]\nx: 3\n1: b\n",
        "[a, b]: 1\n{c: 1, d: 2}: 2\n",
        "- a\n- [b, c]\n- {d: e}\n",
    ];
    let mut failures = Vec::new();
    for doc in docs {
        for budget in 0..40 {
            if let Some(d) = differ(doc, budget) {
                failures.push(format!("{doc:?} with {budget}:\n{d}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn deep_input_needs_no_large_stack() {
    // The reader keeps its own stack: 100,000 levels of flow or block nesting stop with a depth
    // error on a thread with a 256 KiB stack (the old reader needed 64 MiB).
    let inputs = [
        "[".repeat(100_000),
        "{a: ".repeat(100_000),
        format!("{}x\n", "- ".repeat(100_000)),
        format!("{}[]", "[".repeat(100_000)),
    ];
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            inputs
                .iter()
                .map(|text| {
                    let file = SourceFile::new("t.yaml", text);
                    parse(FileId(0), &file, &mut MAX_VALUES.clone()).map(|_| ())
                })
                .collect::<Vec<_>>()
        })
        .unwrap();
    for (i, result) in handle.join().unwrap().into_iter().enumerate() {
        let err = result.unwrap_err();
        // The budget's depth, or the scanner's own guard on flow nesting (255 levels):
        // both read as "nests deeper than 64 levels".
        let depth = err.message.contains("Depth") || err.message.contains("recursion limit");
        assert!(depth, "{i}: {err:?}");
    }
}
