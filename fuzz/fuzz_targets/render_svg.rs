//! Fuzzes the svg renderer over the whole system and every view of arbitrary manifests.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((_, model)) = archmap_fuzz::model(data) else { return };
    for text in archmap_fuzz::render_all(&model, archmap::Format::Svg) {
        archmap_fuzz::assert_safe_svg(&text);
    }
});
