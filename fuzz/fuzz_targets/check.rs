//! Fuzzes every check (all enabled) on models built from arbitrary manifests.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let loaded = archmap_fuzz::load(data);
    // Checks also run next to fatal problems (structural ones are reported), so fuzz them on
    // every model, not only clean ones.
    let model = archmap::lower(&loaded);
    archmap_fuzz::check(&loaded, &model);
});
