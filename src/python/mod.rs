//! Python's semantics that both engines must agree on, in one place: the exceptions a program
//! raises and how they print (English and Korean), the `MemoryError` report, the stage seeds,
//! which threads poll forever, the compiled (fused) form of the programs ([`code`]), the
//! hang report ([`hang`]) and the wait-for chain behind it ([`chain`]). It knows no engine: each engine calls it, never the other way round.

pub mod chain;
pub mod code;
pub mod hang;

use crate::scenario::{Op, OpKind};
use crate::stats::ThreadState;

/// The exceptions a program can raise, as Python words them.
pub mod error {
    /// `put(item)` with no item in hand.
    pub const NAME_NO_ITEM: &str = "NameError: the thread holds no item to put";
    /// `task_done()` once more than items were got.
    pub const TASK_DONE_TOO_MANY: &str = "ValueError: task_done() called too many times";
    /// `thread.start()` twice.
    pub const START_TWICE: &str = "RuntimeError: threads can only be started once";
    /// `thread.join()` on a thread never started.
    pub const JOIN_NOT_STARTED: &str = "RuntimeError: cannot join thread before it is started";
}

/// One printed line in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Said {
    pub en: String,
    pub ko: String,
}

/// What Python's `threading` prints when an exception ends thread `thread`.
pub fn exception(thread: &str, error: &str) -> Said {
    Said {
        en: format!("Exception in thread {thread}: {error}"),
        ko: format!("스레드 {thread} 에서 예외 발생: {error}"),
    }
}

/// The line printed when an engine itself fails on a thread (a bug, never the program's fault).
pub fn internal_error(thread: &str) -> Said {
    Said {
        en: format!("Exception in thread {thread}: internal error of the live engine"),
        ko: format!("스레드 {thread} 에서 예외 발생: 라이브 엔진 내부 오류"),
    }
}

/// The simulated `MemoryError`: `queued` items of `bytes` in all went over `budget` bytes, and
/// `queue` (the longest queue, see [`blamed_queue`]) grew without bound. The English line is
/// also the report's message.
pub fn memory_error(queued: u64, bytes: u64, budget: u64, queue: &str) -> Said {
    let (mib, budget_mib) = (bytes >> 20, budget >> 20);
    Said {
        en: format!(
            "MemoryError: {queued} items queued ({mib} MiB) exceed the memory budget of {budget_mib} MiB; `{queue}` grew without bound"
        ),
        ko: format!(
            "MemoryError: 큐에 쌓인 아이템 {queued}개({mib} MiB)가 메모리 예산 {budget_mib} MiB를 넘었습니다; `{queue}`가 끝없이 커졌습니다"
        ),
    }
}

/// The queue a `MemoryError` blames: the one that grew most, not the one whose `put` happened
/// to cross the line (`fallback`). `lens` are the queues' lengths in order.
pub fn blamed_queue(lens: impl Iterator<Item = usize>, fallback: usize) -> usize {
    lens.enumerate()
        .fold(None, |best: Option<(usize, usize)>, (i, len)| match best {
            // The last of equal lengths, as `Iterator::max_by_key` picks.
            Some((_, l)) if l > len => best,
            _ => Some((i, len)),
        })
        .map_or(fallback, |(i, _)| i)
}

/// The seed of stage `stage`'s service-time draws, from the scenario's seed: every stage draws
/// its own sequence, the same in both engines.
pub fn stage_seed(seed: u64, stage: usize) -> u64 {
    seed ^ (stage as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// Whether a run of these programs can stall (see `HangKind::Stall`): some thread polls, or
/// sleeps as a poller does, so virtual time may move for ever while nothing else can happen.
/// Both engines look for a stall only then.
pub fn may_stall<'a>(mut programs: impl Iterator<Item = &'a [Op]>) -> bool {
    programs.any(|p| {
        p.iter().any(|op| {
            matches!(
                op.kind,
                OpKind::PollGet { .. } | OpKind::Sleep { polling: true, .. }
            )
        })
    })
}

/// Whether a thread in `state` may still make progress by itself, or give a poller some: in a
/// stage function, or sleeping or running in a program that does not poll. A poller's nap and
/// a blocked thread cannot (the rule of a stall, the same in both engines).
pub fn may_progress(state: ThreadState, polls: bool) -> bool {
    match state {
        ThreadState::Working => true,
        ThreadState::Sleeping | ThreadState::Running => !polls,
        _ => false,
    }
}

/// Whether a program is the polling worker's `while True` loop (it polls a `MyQueue` deque):
/// such a thread never ends by itself, and when main returns it lingers instead of hanging.
pub fn polls_forever(program: &[Op]) -> bool {
    program
        .iter()
        .any(|op| matches!(op.kind, OpKind::PollGet { .. }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_queue_is_blamed_and_the_last_of_a_tie() {
        assert_eq!(blamed_queue([3, 9, 2].into_iter(), 0), 1);
        assert_eq!(blamed_queue([4, 4].into_iter(), 0), 1);
        assert_eq!(blamed_queue(std::iter::empty(), 7), 7);
        let lens = [5usize, 1, 5, 0];
        assert_eq!(
            blamed_queue(lens.iter().copied(), 9),
            (0..lens.len()).max_by_key(|&i| lens[i]).unwrap()
        );
    }

    #[test]
    fn stages_draw_different_sequences_from_one_seed() {
        assert_ne!(stage_seed(1, 0), stage_seed(1, 1));
        assert_eq!(stage_seed(0, 0), 0x9e37_79b9_7f4a_7c15);
    }

    #[test]
    fn an_exception_prints_as_python_threading_does_in_both_languages() {
        let s = exception("resize-1", error::TASK_DONE_TOO_MANY);
        assert_eq!(
            s.en,
            "Exception in thread resize-1: ValueError: task_done() called too many times"
        );
        assert!(s
            .ko
            .starts_with("스레드 resize-1 에서 예외 발생: ValueError"));
    }
}
