//! The model engine's pending deadlines (work and sleeps ending), earliest (time, sequence)
//! first: a calendar of time buckets for the near future and a heap for the rest.
//!
//! A binary heap costs a few comparisons of 128-bit keys a level, and with a dozen workers it
//! is three or four levels deep, twice an event. Deadlines in a pipeline are spread over a few
//! service times ahead of now, so a ring of buckets a fraction of a service time wide holds
//! about one deadline each: a push is an append and a bit, a pop a bit scan and a look at one
//! or two entries. Deadlines too far ahead for the ring when pushed wait in a heap, which is
//! compared at every pop, so the order is exact whatever the spread.
//!
//! With a handful of deadlines (a worker or two a stage), even that is more than needed: while
//! the ring and the heap are empty, up to a bucket's worth of deadlines wait unsorted in one
//! more bucket, found by a scan. One more moves them all into the calendar, which keeps every deadline until
//! it is empty again.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

const BUCKETS: usize = 256;
const WORDS: usize = BUCKETS / 64;
/// Deadlines a bucket holds; more in one bucket go to the heap.
const CAP: usize = 4;

/// A deadline: its time, then a tag whose high bits are the push sequence (ties go first come,
/// first served) and whose low bits the caller's payload.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    at: u64,
    tag: u64,
}

#[derive(Clone, Copy, Default)]
struct Bucket {
    len: usize,
    entries: [Entry; CAP],
}

impl Bucket {
    /// Where its earliest deadline is (0 when it is empty).
    #[inline(always)]
    fn earliest(&self) -> usize {
        let list = &self.entries[..self.len];
        let mut index = 0;
        for i in 1..list.len() {
            if list[i] < list[index] {
                index = i;
            }
        }
        index
    }

    /// Takes out the deadline at `index` (the last one takes its place).
    #[inline(always)]
    fn remove(&mut self, index: usize) -> Entry {
        let e = self.entries[index];
        self.len -= 1;
        self.entries[index] = self.entries[self.len];
        e
    }
}

pub struct Timers {
    /// A bucket is `1 << shift` microseconds wide.
    shift: u32,
    /// Bucket `b` holds deadlines whose `at >> shift` is `b` modulo [`BUCKETS`]; all of them lie
    /// within [`BUCKETS`] buckets of now, so one bucket never holds two laps.
    buckets: Box<[Bucket; BUCKETS]>,
    /// Which buckets are not empty.
    bits: [u64; WORDS],
    in_ring: usize,
    far: BinaryHeap<Reverse<Entry>>,
    /// The earliest deadline, kept out of the ring and the heap: a pop hands it over at once
    /// and looks for the next one while the popped thread runs.
    first: Option<Entry>,
    /// The other deadlines while they are few: only when the ring and the heap are empty.
    small: Bucket,
}

/// Where the earliest deadline is.
#[derive(Clone, Copy)]
enum Found {
    Ring { bucket: usize, index: usize },
    Far,
}

impl Timers {
    /// A calendar whose buckets are about a quarter of `scale_us` wide (a typical duration).
    pub fn new(scale_us: u64) -> Timers {
        Timers {
            shift: (scale_us / 4).max(1).ilog2(),
            buckets: Box::new([Bucket::default(); BUCKETS]),
            bits: [0; WORDS],
            in_ring: 0,
            far: BinaryHeap::new(),
            first: None,
            small: Bucket::default(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.first.is_none()
    }

    /// Adds a deadline at `at >= now`. Tags must grow from push to push.
    #[inline(always)]
    pub fn push(&mut self, at: u64, tag: u64, now: u64) {
        debug_assert!(at >= now);
        let mut e = Entry { at, tag };
        match self.first {
            None => {
                self.first = Some(e);
                return;
            }
            Some(f) if e < f => {
                self.first = Some(e);
                e = f;
            }
            Some(_) => {}
        }
        if self.in_ring == 0 && self.far.is_empty() {
            if self.small.len < CAP {
                self.small.entries[self.small.len] = e;
                self.small.len += 1;
                return;
            }
            self.move_to_calendar(now);
        }
        self.insert(e, now);
    }

    /// One deadline too many for the little bucket: all of them move to the calendar.
    #[cold]
    fn move_to_calendar(&mut self, now: u64) {
        let small = std::mem::take(&mut self.small);
        for &e in &small.entries[..small.len] {
            self.insert(e, now);
        }
    }

    #[inline(always)]
    fn insert(&mut self, e: Entry, now: u64) {
        let lap = e.at >> self.shift;
        let b = lap as usize % BUCKETS;
        let bucket = &mut self.buckets[b];
        if lap - (now >> self.shift) < BUCKETS as u64 && bucket.len < CAP {
            bucket.entries[bucket.len] = e;
            bucket.len += 1;
            self.bits[b / 64] |= 1 << (b % 64);
            self.in_ring += 1;
        } else {
            self.far.push(Reverse(e));
        }
    }

    /// The earliest deadline's time, if any.
    pub fn next_at(&self) -> Option<u64> {
        self.first.map(|e| e.at)
    }

    /// Removes and returns the earliest deadline as `(at, tag)` when it is due by `limit`.
    #[inline(always)]
    pub fn pop_due(&mut self, limit: u64) -> Option<(u64, u64)> {
        let e = self.first.filter(|e| e.at <= limit)?;
        self.first = self.take_earliest(e.at);
        Some((e.at, e.tag))
    }

    /// Takes the earliest remaining deadline out of the ring, the heap or the little bucket;
    /// all of them are at or after `now`.
    #[inline(always)]
    fn take_earliest(&mut self, now: u64) -> Option<Entry> {
        let Some((e, found)) = self.find(now) else {
            return self.take_small();
        };
        match found {
            Found::Ring { bucket, index } => {
                let b = &mut self.buckets[bucket];
                b.remove(index);
                if b.len == 0 {
                    self.bits[bucket / 64] &= !(1 << (bucket % 64));
                }
                self.in_ring -= 1;
            }
            Found::Far => {
                self.far.pop();
            }
        }
        Some(e)
    }

    /// The earliest of the little bucket's deadlines, taken out.
    #[inline(always)]
    fn take_small(&mut self) -> Option<Entry> {
        let index = self.small.earliest();
        (index < self.small.len).then(|| self.small.remove(index))
    }

    /// The earliest deadline in the ring and the heap, and where it is; none when both are
    /// empty (the little bucket may not be).
    #[inline(always)]
    fn find(&self, now: u64) -> Option<(Entry, Found)> {
        let far = self.far.peek().map(|r| r.0);
        if self.in_ring == 0 {
            return far.map(|e| (e, Found::Far));
        }
        let bucket = self.first_bucket_from((now >> self.shift) as usize % BUCKETS);
        let b = &self.buckets[bucket];
        let index = b.earliest();
        let near = b.entries[index];
        match far {
            Some(f) if f < near => Some((f, Found::Far)),
            _ => Some((near, Found::Ring { bucket, index })),
        }
    }

    /// The first non-empty bucket at or after `start`, going round; the ring is not empty.
    #[inline]
    fn first_bucket_from(&self, start: usize) -> usize {
        let (w, bit) = (start / 64, start % 64);
        let here = self.bits[w] & (!0u64 << bit);
        if here != 0 {
            return w * 64 + here.trailing_zeros() as usize;
        }
        for k in 1..WORDS {
            let i = (w + k) % WORDS;
            if self.bits[i] != 0 {
                return i * 64 + self.bits[i].trailing_zeros() as usize;
            }
        }
        // Round to the start word's bits before `start`.
        w * 64 + (self.bits[w] & ((1u64 << bit) - 1)).trailing_zeros() as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Rng;

    /// Random pushes and pops, with time moving to each popped deadline or to a limit short of
    /// the next one, against a binary heap of (time, tag). Pushes stop while `most` deadlines
    /// are pending.
    fn against_a_heap(scale_us: u64, spread_us: u64, seed: u64, most: usize) {
        let mut rng = Rng::new(seed);
        let mut timers = Timers::new(scale_us);
        let mut heap: BinaryHeap<Reverse<(u64, u64)>> = BinaryHeap::new();
        let (mut now, mut tag) = (0u64, 0u64);
        for _ in 0..20_000 {
            if (rng.below(3) != 0 && heap.len() < most) || heap.is_empty() {
                // Mostly near, sometimes far beyond the ring, sometimes now itself.
                let d = match rng.below(10) {
                    0 => 0,
                    1 => rng.below(spread_us * 1000),
                    _ => rng.below(spread_us),
                };
                tag += 1;
                timers.push(now + d, tag, now);
                heap.push(Reverse((now + d, tag)));
            } else {
                let limit = now + rng.below(spread_us);
                let want = heap.peek().map(|r| r.0).filter(|&(at, _)| at <= limit);
                assert_eq!(timers.next_at(), heap.peek().map(|r| r.0 .0));
                assert_eq!(timers.pop_due(limit), want);
                match want {
                    Some((at, _)) => {
                        heap.pop();
                        now = at;
                    }
                    None => now = limit,
                }
            }
            assert_eq!(timers.is_empty(), heap.is_empty());
        }
    }

    #[test]
    fn deadlines_come_out_in_time_then_push_order() {
        for (seed, (scale, spread)) in
            [(1, 1), (1000, 3000), (1000, 50), (4, 100_000), (1 << 20, 7)]
                .into_iter()
                .enumerate()
        {
            against_a_heap(scale, spread, seed as u64, usize::MAX);
        }
    }

    #[test]
    fn a_few_deadlines_keep_their_order_moving_between_the_little_bucket_and_the_calendar() {
        for (seed, most) in [CAP, CAP + 1, CAP + 2, 2 * CAP].into_iter().enumerate() {
            against_a_heap(1000, 3000, 10 + seed as u64, most);
            against_a_heap(4, 100_000, 20 + seed as u64, most);
        }
    }

    #[test]
    fn ties_in_time_leave_in_push_order() {
        let mut timers = Timers::new(1000);
        for tag in 1..=5 {
            timers.push(500, tag, 0);
        }
        timers.push(500 + 1000 * BUCKETS as u64 * 4, 6, 0);
        let order: Vec<u64> =
            std::iter::from_fn(|| timers.pop_due(u64::MAX).map(|p| p.1)).collect();
        assert_eq!(order, [1, 2, 3, 4, 5, 6]);
    }
}
