//! Fuzzes the dot renderer over the whole system and every view of arbitrary manifests.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((_, model)) = archmap_fuzz::model(data) else { return };
    for text in archmap_fuzz::render_all(&model, archmap::Format::Dot) {
        // The comment line holds the title: a newline in it must not start DOT statements.
        let mut lines = text.lines();
        assert!(lines.next().is_some_and(|l| l.starts_with("// ")), "DOT opens with a comment");
        assert!(lines.next().is_some_and(|l| l.starts_with("digraph ")), "then the digraph");
    }
});
