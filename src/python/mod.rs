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

/// The programs' comments as the Korean note words them (the note's own where it has one).
const COMMENTS_KO: &[(&str, &str)] = &[
    ("Runs first", "첫 번째로 실행됨"),
    ("Runs second", "두 번째로 실행됨"),
    ("Runs third", "세 번째로 실행됨"),
    ("Runs fourth", "네 번째로 실행됨"),
    (
        "Runs before get() above",
        "앞에서 본 get()이 실행되기 전에 실행된다",
    ),
    (
        "Runs after put() below",
        "다음에 보여줄 put()이 실행된 다음에 실행된다",
    ),
    ("Buffer size of 1", "버퍼 크기 1"),
    ("Wait", "대기"),
    ("Doing work", "작업 진행"),
    ("No work to do", "할 일이 없음"),
    (
        "Do something useful while waiting",
        "기다리는 동안 유용한 작업을 수행한다",
    ),
    ("Cause the thread to exit", "스레드를 끝낸다"),
    ("one SENTINEL short!", "SENTINEL 하나가 모자람!"),
    ("forgotten!", "빠뜨림!"),
    (
        "unbounded, in front of the slow stage",
        "무한 큐, 느린 단계 앞",
    ),
    ("slow", "느림"),
    (
        "one 1 MiB image every millisecond",
        "1밀리초마다 1 MiB 이미지 하나",
    ),
    (
        "upload results: a few bytes each",
        "업로드 결과: 하나에 몇 바이트",
    ),
    (
        "blocks: nobody reads out_queue yet",
        "블록됨: 아직 아무도 out_queue를 읽지 않음",
    ),
    ("blocks: in_queue is full", "블록됨: in_queue가 가득 참"),
    ("keeps every finished item", "끝난 아이템을 모두 보관"),
    (
        "counts finished items, keeps none",
        "끝난 아이템을 세기만 하고 보관하지 않음",
    ),
];

/// `line` with its trailing comment (the text after its last `# `) in Korean, when the Korean
/// note words it; otherwise `line` as it is.
pub fn comment_in_korean(line: &str) -> Option<String> {
    let at = line.rfind("# ")?;
    let text = &line[at + 2..];
    let (_, ko) = COMMENTS_KO.iter().find(|(en, _)| *en == text.trim_end())?;
    Some(format!("{}# {ko}", &line[..at]))
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
/// `queue` (the longest queue, see [`blamed_queue`]) holds `queue_bytes` of them. The sentence is
/// the one the page shows (its status and banner read the report's), its sizes worded by
/// [`format_bytes`]; the English line is also the report's message.
pub fn memory_error(queued: u64, bytes: u64, budget: u64, queue: &str, queue_bytes: u64) -> Said {
    let items = thousands(queued);
    let (bytes, budget, held) = (
        format_bytes(bytes),
        format_bytes(budget),
        format_bytes(queue_bytes),
    );
    Said {
        en: format!(
            "MemoryError: {items} items queued ({bytes}) exceed the memory budget of {budget}; {queue} holds the most ({held})."
        ),
        ko: format!(
            "MemoryError: 큐에 쌓인 아이템 {items}개({bytes})가 메모리 한도 {budget}를 넘었습니다. 가장 많이 쌓인 큐는 {queue}입니다({held})."
        ),
    }
}

/// A size as the page words it (www/i18n.js `formatBytes`, the same rule): GiB only when exact
/// (1,025 MiB against a budget of 1 GiB must not read "1.00 GiB"), else MiB (a whole number with
/// thousands separators, or one decimal), KiB rounded, or bytes.
pub fn format_bytes(n: u64) -> String {
    const KIB: u64 = 1 << 10;
    const MIB: u64 = 1 << 20;
    const GIB: u64 = 1 << 30;
    if n >= GIB && n.is_multiple_of(GIB) {
        format!("{} GiB", n / GIB)
    } else if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", thousands(n / MIB))
    } else if n >= MIB {
        // Tenths rounded half up, as JavaScript's toFixed(1) rounds an exact binary fraction.
        let tenths = (u128::from(n) * 20 + u128::from(MIB)) / (2 * u128::from(MIB));
        format!("{}.{} MiB", tenths / 10, tenths % 10)
    } else if n >= KIB {
        format!("{} KiB", (n + KIB / 2) / KIB)
    } else {
        format!("{n} B")
    }
}

/// A whole number with commas between thousands, as `toLocaleString('en-US')` writes it.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
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
        idles(p)
            || p.iter().any(|op| {
                matches!(
                    op.kind,
                    OpKind::PollGet { .. } | OpKind::Sleep { polling: true, .. }
                )
            })
    })
}

/// Whether a program only sleeps (and prints, counts and jumps): it touches no queue, starts,
/// joins and works on nothing, so it can never make or finish an item. A `while True:
/// time.sleep(...)` loop moves virtual time for ever; like a poller's nap, its sleep is no
/// progress (the rule of a stall).
pub fn idles(program: &[Op]) -> bool {
    program
        .iter()
        .any(|op| matches!(op.kind, OpKind::Sleep { .. }))
        && program.iter().all(|op| {
            matches!(
                op.kind,
                OpKind::Sleep { .. }
                    | OpKind::Print { .. }
                    | OpKind::Jump { .. }
                    | OpKind::Repeat { .. }
                    | OpKind::Loop { .. }
                    | OpKind::End
            )
        })
}

/// Whether a thread in `state` may still make progress by itself, or give a poller some: in a
/// stage function, or sleeping or running in a program that neither polls nor only sleeps
/// (`barren`: [`polls_forever`] or [`idles`]). A poller's nap, an idler's sleep and a blocked
/// thread cannot (the rule of a stall, the same in both engines).
pub fn may_progress(state: ThreadState, barren: bool) -> bool {
    match state {
        ThreadState::Working => true,
        ThreadState::Sleeping | ThreadState::Running => !barren,
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
    fn sizes_are_worded_as_the_page_words_them() {
        const MIB: u64 = 1 << 20;
        assert_eq!(format_bytes(1 << 30), "1 GiB");
        assert_eq!(format_bytes(4 << 30), "4 GiB");
        assert_eq!(format_bytes(1025 * MIB), "1,025 MiB");
        assert_eq!(format_bytes(1024 * MIB + 1), "1024.0 MiB");
        assert_eq!(format_bytes(773 * MIB), "773 MiB");
        assert_eq!(
            format_bytes(MIB + MIB / 4),
            "1.3 MiB",
            "a tie rounds up, as toFixed does"
        );
        assert_eq!(format_bytes(MIB + MIB / 2), "1.5 MiB");
        assert_eq!(format_bytes(1536), "2 KiB");
        assert_eq!(format_bytes(1024), "1 KiB");
        assert_eq!(format_bytes(1023), "1023 B");
        assert_eq!(format_bytes(0), "0 B");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn a_memory_error_names_sizes_in_the_pages_units_without_markdown() {
        const MIB: u64 = 1 << 20;
        let s = memory_error(1025, 1025 * MIB, 1 << 30, "resize_queue", 773 * MIB);
        assert_eq!(
            s.en,
            "MemoryError: 1,025 items queued (1,025 MiB) exceed the memory budget of 1 GiB; resize_queue holds the most (773 MiB)."
        );
        assert_eq!(
            s.ko,
            "MemoryError: 큐에 쌓인 아이템 1,025개(1,025 MiB)가 메모리 한도 1 GiB를 넘었습니다. 가장 많이 쌓인 큐는 resize_queue입니다(773 MiB)."
        );
        assert!(!s.en.contains('`') && !s.ko.contains('`'));
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
