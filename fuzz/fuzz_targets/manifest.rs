//! Fuzzes reading a manifest and building the model: no panic, every diagnostic inside its file.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let loaded = archmap_fuzz::load(data);
    let model = archmap::lower(&loaded);
    // Lowering keeps manifest order: doing it twice gives the same model.
    assert_eq!(model.component_count(), archmap::lower(&loaded).component_count());
});
