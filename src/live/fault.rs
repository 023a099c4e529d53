//! Test-only faults: the next live thread to look dies of a panic or of a failed allocation, so
//! that tests (native, and the browser's on its pool) can check that a lost thread is reported.

use std::sync::atomic::{AtomicU8, Ordering};

/// A fault [`inject_fault`] arms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The thread panics (an engine bug, as a test sees one).
    Panic,
    /// An allocation of [`FAULT_ALLOC_BYTES`] fails: for real on wasm32, whose memory stops at
    /// 1 GiB; natively std's failed-allocation path is taken with that size.
    Alloc,
}

/// What the allocation fault asks for: more than the threaded wasm build's memory can hold.
pub const FAULT_ALLOC_BYTES: usize = 0x6000_0000;

const NONE: u8 = 0;
const PANIC: u8 = 1;
const ALLOC: u8 = 2;

/// Armed fault, shared by every run in the process (or the page): one thread takes it.
static ARMED: AtomicU8 = AtomicU8::new(NONE);

/// Arms `fault`: the next live thread that looks (after a timed wait, or between operations
/// every few thousand) dies of it. For tests only; a run with no fault armed pays one relaxed
/// load per look.
pub fn inject_fault(fault: Fault) {
    let v = match fault {
        Fault::Panic => PANIC,
        Fault::Alloc => ALLOC,
    };
    ARMED.store(v, Ordering::SeqCst);
}

/// Dies of the armed fault, if any (and disarms it).
#[inline]
pub(crate) fn strike() {
    if ARMED.load(Ordering::Relaxed) != NONE {
        strike_now();
    }
}

#[cold]
#[inline(never)]
fn strike_now() {
    match ARMED.swap(NONE, Ordering::SeqCst) {
        PANIC => panic!("test-only fault: a live thread panics"),
        ALLOC => fail_to_allocate(),
        _ => {}
    }
}

#[cfg(target_arch = "wasm32")]
fn fail_to_allocate() {
    let v: Vec<u8> = Vec::with_capacity(std::hint::black_box(FAULT_ALLOC_BYTES));
    std::hint::black_box(v);
}

#[cfg(not(target_arch = "wasm32"))]
fn fail_to_allocate() {
    let layout = std::alloc::Layout::from_size_align(FAULT_ALLOC_BYTES, 8).expect("a layout");
    std::alloc::handle_alloc_error(layout);
}
