//! A FIFO of small `Copy` values in one power-of-two buffer that doubles when full: what both
//! engines' queues, waiter lists and the model engine's ready queue hold. No policy here.
//!
//! Why not `VecDeque`: its index arithmetic wraps with a compare (it allows any capacity) and
//! its header is 32 bytes; here a wrap is one mask and the header 24 bytes, which lets the live
//! queue keep its lock, items and counters in one cache line. The model engine spends about a
//! tenth of its time in these lists.

/// Fill for slots not in use.
pub(crate) trait Blank: Copy {
    const BLANK: Self;
}

impl Blank for u32 {
    const BLANK: u32 = 0;
}

pub(crate) struct Ring<T> {
    /// Its length is 0 or a power of two.
    buf: Box<[T]>,
    head: u32,
    len: u32,
}

impl<T: Blank> Default for Ring<T> {
    fn default() -> Self {
        Ring::new()
    }
}

impl<T: Blank> Ring<T> {
    pub fn new() -> Ring<T> {
        Ring {
            buf: Box::new([]),
            head: 0,
            len: 0,
        }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.len as usize
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The buffer index of the `k`-th value from the front.
    #[inline]
    fn slot(&self, k: usize) -> usize {
        (self.head as usize + k) & (self.buf.len().wrapping_sub(1))
    }

    #[inline]
    pub fn push_back(&mut self, v: T) {
        if self.len() == self.buf.len() {
            self.grow();
        }
        let i = self.slot(self.len());
        // SAFETY: the buffer is not empty (it just grew if it was full), and `slot` masks with
        // its length minus one, a power of two minus one.
        unsafe { *self.buf.get_unchecked_mut(i) = v };
        self.len += 1;
    }

    #[inline]
    pub fn push_front(&mut self, v: T) {
        if self.len() == self.buf.len() {
            self.grow();
        }
        let i = self.slot(self.buf.len() - 1);
        self.buf[i] = v;
        self.head = i as u32;
        self.len += 1;
    }

    #[inline]
    pub fn pop_front(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        // SAFETY: `head` is always a masked index, and the buffer is not empty (`len > 0`).
        let v = unsafe { *self.buf.get_unchecked(self.head as usize) };
        self.head = self.slot(1) as u32;
        self.len -= 1;
        Some(v)
    }

    #[cold]
    fn grow(&mut self) {
        let mut buf = vec![T::BLANK; (self.buf.len() * 2).max(8)].into_boxed_slice();
        for (k, v) in self.iter().enumerate() {
            buf[k] = *v;
        }
        self.buf = buf;
        self.head = 0;
    }

    /// Front first.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        (0..self.len()).map(move |k| &self.buf[self.slot(k)])
    }

    /// Keeps only the values `keep` accepts, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        let kept: Vec<T> = self.iter().copied().filter(|v| keep(v)).collect();
        self.head = 0;
        self.len = 0;
        for v in kept {
            self.push_back(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_fifo_order_across_growth_wrap_around_and_pushes_at_the_front() {
        let mut r: Ring<u32> = Ring::new();
        let mut model = std::collections::VecDeque::new();
        let mut next = 0;
        for round in 0..60u32 {
            for _ in 0..round % 7 + 1 {
                r.push_back(next);
                model.push_back(next);
                next += 1;
            }
            if round % 5 == 0 {
                r.push_front(next);
                model.push_front(next);
                next += 1;
            }
            for _ in 0..round % 4 {
                assert_eq!(r.pop_front(), model.pop_front());
            }
            assert_eq!(r.len(), model.len());
            assert!(r.iter().eq(model.iter()));
        }
        r.retain(|v| v % 3 != 0);
        model.retain(|v| v % 3 != 0);
        assert!(r.iter().eq(model.iter()));
        while let Some(v) = r.pop_front() {
            assert_eq!(Some(v), model.pop_front());
        }
        assert!(r.is_empty() && model.is_empty());
        assert_eq!(r.pop_front(), None);
    }
}
