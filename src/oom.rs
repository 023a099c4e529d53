//! What a failed allocation does: a panic that says how many bytes were asked for, instead of
//! an abort without a word, so the panic hook reports it and a live thread's run ends with a report.

/// Makes every failed allocation from now on panic with its size (std's alloc error hook, a
/// nightly feature). The wasm builds install it when the module starts; natively a live
/// thread's `catch_unwind` then catches it like any panic. Allocating while that panic is
/// reported can itself fail when memory is truly gone: then the process aborts as before.
pub fn panic_on_alloc_error() {
    std::alloc::set_alloc_error_hook(|layout| {
        panic!("memory allocation of {} bytes failed", layout.size())
    });
}
