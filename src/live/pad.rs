//! Keeps a value alone on its cache lines, so that threads writing neighbouring data do not
//! slow each other down (false sharing). It must hold no logic: it only aligns.

use std::ops::{Deref, DerefMut};

/// 128 bytes: two 64-byte lines, since x86 prefetches lines in pairs (as crossbeam does).
#[derive(Debug, Default)]
#[repr(align(128))]
pub(crate) struct Padded<T>(pub T);

impl<T> Deref for Padded<T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Padded<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}
