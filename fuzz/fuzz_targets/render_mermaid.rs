//! Fuzzes the mermaid renderer over the whole system and every view of arbitrary manifests.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((_, model)) = archmap_fuzz::model(data) else { return };
    for text in archmap_fuzz::render_all(&model, archmap::Format::Mermaid) {
        // The front matter holds the title on one line: a newline in it must not escape.
        let lines: Vec<&str> = text.lines().take(3).collect();
        assert_eq!(lines[0], "---", "Mermaid opens with front matter");
        assert!(lines[1].starts_with("title: "), "then the title");
        assert_eq!(lines[2], "---", "on one line");
    }
});
