//! Fuzzes the interactive HTML page over the whole system and every view of arbitrary
//! manifests: no text opens a script element or leaves the JSON island, and the drawing is a
//! safe SVG.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((_, model)) = archmap_fuzz::model(data) else { return };
    for page in archmap_fuzz::render_all(&model, archmap::Format::Html) {
        assert_eq!(page.matches("<script").count(), 2, "only the data island and the page's script");
        let island = page.split("id=\"am-data\">").nth(1).expect("a data island");
        let island = &island[..island.find("</script>").expect("the island ends")];
        assert!(!island.contains(['<', '>', '&']), "the island escapes markup");
        assert!(serde_json::from_str::<serde_json::Value>(island).is_ok(), "the island is JSON");
        let svg = page.split("<template id=\"am-view-0\">").nth(1).expect("a drawing");
        archmap_fuzz::assert_safe_svg(&svg[..svg.find("</template>").expect("the drawing ends")]);
    }
});
