//! The hang report both engines give: the list of waiting threads (one function over a
//! read-only view each engine provides), the kind of hang and its wording in English and
//! Korean. It decides nothing about *whether* a run hangs.

use super::chain::{wait_chain, ChainFacts};
use crate::scenario::{Lang, Scenario};
use crate::stats::{HangKind, HangReport, ThreadState, Waiting};

/// What a thread that can never go on is waiting for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WaitOn {
    /// `get()` on an empty queue.
    Get { queue: String },
    /// `put()` on a full queue.
    Put {
        queue: String,
        len: u64,
        maxsize: u32,
    },
    /// `queue.join()` with tasks that no thread will mark done.
    JoinQueue { queue: String, unfinished: u64 },
    /// `thread.join()` of a thread that never ends.
    JoinThread { thread: String },
    /// A busy-wait on a queue's length.
    BusyWait { queue: String },
    /// Nothing: the thread itself failed inside the engine, for `cause`.
    Lost { cause: String },
    /// Anything else (reported by its state).
    Other,
}

/// One waiting thread, as an engine saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiter {
    pub thread: usize,
    pub name: String,
    pub state: ThreadState,
    pub line: u32,
    pub on: WaitOn,
}

/// What a thread waits on, as either engine keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Waits {
    Nothing,
    Queue(usize),
    Thread(usize),
}

/// A read-only view of a run in which no thread can go on, as each engine provides it.
pub trait HangView {
    fn thread_count(&self) -> usize;
    fn thread_state(&self, t: usize) -> ThreadState;
    /// What thread `t` waits on; read only together with a waiting state.
    fn waits(&self, t: usize) -> Waits;
    fn thread_name(&self, t: usize) -> &str;
    /// The Python line thread `t` is at.
    fn line(&self, t: usize) -> u32;
    fn queue_name(&self, q: usize) -> &str;
    fn queue_len(&self, q: usize) -> u64;
    fn queue_maxsize(&self, q: usize) -> u32;
    fn unfinished_tasks(&self, q: usize) -> u64;
    /// The scenario thread whose program thread `t` runs (a worker added while running runs
    /// its stage's).
    fn program(&self, t: usize) -> usize;
    /// The scenario the run was made from: what the wait-for chain reads of the programs.
    fn scenario(&self) -> &Scenario;
}

/// Every thread still alive and what it waits on, in thread order.
pub fn waiting_threads(view: &impl HangView) -> Vec<Waiter> {
    (0..view.thread_count())
        .filter(|&t| view.thread_state(t).is_alive())
        .map(|t| {
            let state = view.thread_state(t);
            let queue = |q: usize| view.queue_name(q).to_string();
            let on = match (state, view.waits(t)) {
                (ThreadState::BlockedGet, Waits::Queue(q)) => WaitOn::Get { queue: queue(q) },
                (ThreadState::BlockedPut, Waits::Queue(q)) => WaitOn::Put {
                    queue: queue(q),
                    len: view.queue_len(q),
                    maxsize: view.queue_maxsize(q),
                },
                (ThreadState::Joining, Waits::Queue(q)) => WaitOn::JoinQueue {
                    queue: queue(q),
                    unfinished: view.unfinished_tasks(q),
                },
                (ThreadState::Joining, Waits::Thread(o)) => WaitOn::JoinThread {
                    thread: view.thread_name(o).to_string(),
                },
                (ThreadState::Spinning, Waits::Queue(q)) => WaitOn::BusyWait { queue: queue(q) },
                _ => WaitOn::Other,
            };
            Waiter {
                thread: t,
                name: view.thread_name(t).to_string(),
                state,
                line: view.line(t),
                on,
            }
        })
        .collect()
}

/// A hang as seen when it happened; worded on demand, in the reader's language.
#[derive(Clone, Debug)]
pub struct Hung {
    pub kind: HangKind,
    pub at_us: u64,
    pub waiters: Vec<Waiter>,
    /// What the wait-for chain is made from; `None` for a livelock or the time limit, where no
    /// thread waits on another.
    pub facts: Option<ChainFacts>,
}

impl Hung {
    /// The hang in `view` at `at_us`, of the kind its waiters make unless `kind` says otherwise
    /// (a livelock, which no waiter shows).
    pub fn seen(view: &impl HangView, at_us: u64, kind: Option<HangKind>) -> Hung {
        let waiters = waiting_threads(view);
        let kind = kind.unwrap_or_else(|| classify(&waiters));
        let facts = (!matches!(kind, HangKind::Livelock | HangKind::Horizon))
            .then(|| ChainFacts::seen(view));
        Hung {
            kind,
            at_us,
            waiters,
            facts,
        }
    }

    /// The report in `lang`, with the wait-for chain.
    pub fn report(&self, lang: Lang) -> HangReport {
        let mut r = report(self.kind, self.at_us, &self.waiters, lang);
        r.chain = self.facts.as_ref().and_then(|facts| {
            wait_chain(facts, &self.waiters).map(|chain| chain.worded(facts, lang))
        });
        r
    }
}

/// Waiting threads named in the message; the report lists them all.
const SHOWN: usize = 6;

/// The kind of hang these waiters make: a full queue means deadlock, a `queue.join()` means
/// missing `task_done()` calls, a `get()` means a missing SENTINEL.
pub fn classify(waiters: &[Waiter]) -> HangKind {
    let has = |f: fn(&WaitOn) -> bool| waiters.iter().any(|w| f(&w.on));
    if has(|o| matches!(o, WaitOn::Put { .. })) {
        HangKind::Deadlock
    } else if has(|o| matches!(o, WaitOn::JoinQueue { .. })) {
        HangKind::JoinNeverReturns
    } else if has(|o| matches!(o, WaitOn::Get { .. })) {
        HangKind::WorkerNeverEnds
    } else {
        HangKind::AllBlocked
    }
}

/// The report in `lang`.
pub fn report(kind: HangKind, at_us: u64, waiters: &[Waiter], lang: Lang) -> HangReport {
    let waiting: Vec<Waiting> = waiters
        .iter()
        .map(|w| Waiting {
            thread: w.thread,
            name: w.name.clone(),
            state: w.state,
            line: w.line,
            on: describe(&w.on, w.state, lang),
        })
        .collect();
    let names = |f: fn(&WaitOn) -> bool| {
        waiters
            .iter()
            .filter(|w| f(&w.on))
            .map(|w| w.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    // The English verb agrees with how many threads the list names.
    let count = |f: fn(&WaitOn) -> bool| waiters.iter().filter(|w| f(&w.on)).count();
    // For a missing SENTINEL, name the workers someone joins: they are why nothing goes on.
    let (never_ending, never_ending_n) = {
        let joined: Vec<&str> = waiters
            .iter()
            .filter_map(|w| match &w.on {
                WaitOn::JoinThread { thread } => Some(thread.as_str()),
                _ => None,
            })
            .collect();
        if joined.is_empty() {
            let get = |o: &WaitOn| matches!(o, WaitOn::Get { .. });
            (names(get), count(get))
        } else {
            (joined.join(", "), joined.len())
        }
    };
    // A stall of pollers says they poll; one of threads that only sleep says they sleep.
    let stall_polls = waiters
        .iter()
        .any(|w| w.on == WaitOn::Other && w.state == ThreadState::Polling);
    let headline = match (kind, lang) {
        (HangKind::Deadlock, Lang::En) => {
            let put = |o: &WaitOn| matches!(o, WaitOn::Put { .. });
            let verb = plural(count(put), "waits", "wait");
            format!(
                "Deadlock: {} {verb} to put on a full queue that no running thread will drain",
                names(put)
            )
        }
        (HangKind::Deadlock, Lang::Ko) => format!(
            "교착 상태: {} 스레드가 아무도 비우지 않을 가득 찬 큐에 넣으려고 기다립니다",
            names(|o| matches!(o, WaitOn::Put { .. }))
        ),
        (HangKind::JoinNeverReturns, Lang::En) => {
            let join = |o: &WaitOn| matches!(o, WaitOn::JoinQueue { .. });
            let verb = plural(count(join), "waits", "wait");
            format!(
                "join() never returns: {} {verb} for task_done() calls that no thread will make",
                names(join)
            )
        }
        (HangKind::JoinNeverReturns, Lang::Ko) => format!(
            "join()이 끝나지 않습니다: {} 스레드가 아무도 호출하지 않을 task_done()을 기다립니다",
            names(|o| matches!(o, WaitOn::JoinQueue { .. }))
        ),
        (HangKind::WorkerNeverEnds, Lang::En) => {
            let (verb, sentinel) = if never_ending_n == 1 {
                ("ends", "a SENTINEL that was")
            } else {
                ("end", "SENTINELs that were")
            };
            format!(
                "{never_ending} never {verb}: waiting in get() for {sentinel} never put, so thread.join() never returns"
            )
        }
        (HangKind::WorkerNeverEnds, Lang::Ko) => format!(
            "{never_ending} 스레드가 끝나지 않습니다: 넣지 않은 센티넬을 get()에서 기다리므로 thread.join()이 반환되지 않습니다"
        ),
        (HangKind::AllBlocked, Lang::En) => {
            "Every thread waits and none can wake the others".to_string()
        }
        (HangKind::AllBlocked, Lang::Ko) => {
            "모든 스레드가 기다리고 있어 서로를 깨울 수 없습니다".to_string()
        }
        (HangKind::Livelock, Lang::En) => {
            "Livelock: threads keep running without waiting, sleeping or finishing an item, so the run never ends".to_string()
        }
        (HangKind::Livelock, Lang::Ko) => {
            "라이브락: 스레드가 기다리거나 잠들거나 아이템을 끝내지 않고 계속 실행되어 실행이 끝나지 않습니다".to_string()
        }
        (HangKind::Horizon, Lang::En) => format!(
            "The run can never finish: it would go past its limit of {} days of virtual time",
            crate::sim::HORIZON_US / 86_400_000_000
        ),
        (HangKind::Horizon, Lang::Ko) => format!(
            "실행이 끝날 수 없습니다: 가상 시간 한도 {}일을 넘어갑니다",
            crate::sim::HORIZON_US / 86_400_000_000
        ),
        (HangKind::ThreadLost, Lang::En) => format!(
            "{} failed inside the engine ({}), so the run cannot go on",
            names(|o| matches!(o, WaitOn::Lost { .. })),
            lost_cause(waiters)
        ),
        (HangKind::ThreadLost, Lang::Ko) => format!(
            "{} 스레드가 엔진 안에서 실패하여({}) 실행을 계속할 수 없습니다",
            names(|o| matches!(o, WaitOn::Lost { .. })),
            lost_cause(waiters)
        ),
        (HangKind::Stall, Lang::En) if !stall_polls => {
            let other = |o: &WaitOn| *o == WaitOn::Other;
            let verb = plural(count(other), "keeps", "keep");
            format!(
                "Stall: {} {verb} sleeping, but no thread is left that could make or take an item, so the run never ends",
                names(other)
            )
        }
        (HangKind::Stall, Lang::En) => {
            let other = |o: &WaitOn| *o == WaitOn::Other;
            let (verb, them) = if count(other) == 1 {
                ("keeps", "it")
            } else {
                ("keep", "them")
            };
            format!(
                "Stall: {} {verb} polling, but no thread is left that could give {them} an item, so the run never ends",
                names(other)
            )
        }
        (HangKind::Stall, Lang::Ko) if !stall_polls => format!(
            "정체: {} 스레드가 계속 잠들었다 깨지만 아이템을 만들거나 가져갈 스레드가 남아 있지 않아 실행이 끝나지 않습니다",
            names(|o| *o == WaitOn::Other)
        ),
        (HangKind::Stall, Lang::Ko) => format!(
            "정체: {} 스레드가 계속 폴링하지만 아이템을 넣어 줄 스레드가 남아 있지 않아 실행이 끝나지 않습니다",
            names(|o| *o == WaitOn::Other)
        ),
    };
    let mut details: Vec<String> = waiting
        .iter()
        .take(SHOWN)
        .map(|w| match lang {
            Lang::En => format!("{} waits on {}", w.name, w.on),
            Lang::Ko => format!("{}: {}", w.name, w.on),
        })
        .collect();
    if waiting.len() > SHOWN {
        details.push(match lang {
            Lang::En => match waiting.len() - SHOWN {
                1 => "and 1 more thread waits".to_string(),
                n => format!("and {n} more threads wait"),
            },
            Lang::Ko => format!("그 밖에 스레드 {}개가 기다립니다", waiting.len() - SHOWN),
        });
    }
    let message = if details.is_empty() {
        format!("{headline}.")
    } else {
        format!("{headline}. {}.", details.join("; "))
    };
    HangReport {
        kind,
        at_us,
        waiting,
        headline,
        message,
        chain: None,
    }
}

/// `one` for a count of 1, else `many`: English words that agree with a number.
pub(crate) fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// Why the first lost thread failed.
fn lost_cause(waiters: &[Waiter]) -> &str {
    waiters
        .iter()
        .find_map(|w| match &w.on {
            WaitOn::Lost { cause } => Some(cause.as_str()),
            _ => None,
        })
        .unwrap_or("")
}

fn describe(on: &WaitOn, state: ThreadState, lang: Lang) -> String {
    match (on, lang) {
        (WaitOn::Get { queue }, Lang::En) => {
            format!("get() on {queue} (empty; no running thread will put)")
        }
        (WaitOn::Get { queue }, Lang::Ko) => {
            format!("{queue}의 get() (비어 있고, 넣을 스레드가 없음)")
        }
        (
            WaitOn::Put {
                queue,
                len,
                maxsize,
            },
            Lang::En,
        ) => {
            format!("put() on {queue} (full at {len}/{maxsize})")
        }
        (
            WaitOn::Put {
                queue,
                len,
                maxsize,
            },
            Lang::Ko,
        ) => {
            format!("{queue}의 put() (가득 참 {len}/{maxsize})")
        }
        (WaitOn::JoinQueue { queue, unfinished }, Lang::En) => format!(
            "{queue}.join() ({unfinished} unfinished {}; no thread will call task_done())",
            plural(*unfinished as usize, "task", "tasks")
        ),
        (WaitOn::JoinQueue { queue, unfinished }, Lang::Ko) => format!(
            "{queue}.join() (끝나지 않은 작업 {unfinished}개; task_done()을 호출할 스레드가 없음)"
        ),
        (WaitOn::JoinThread { thread }, Lang::En) => {
            format!("join() of thread {thread}, which never ends")
        }
        (WaitOn::JoinThread { thread }, Lang::Ko) => {
            format!("끝나지 않는 스레드 {thread}의 join()")
        }
        (WaitOn::BusyWait { queue }, Lang::En) => format!("a busy-wait on {queue}"),
        (WaitOn::BusyWait { queue }, Lang::Ko) => format!("{queue}에 대한 바쁜 대기"),
        (WaitOn::Lost { cause }, Lang::En) => format!("nothing: it failed ({cause})"),
        (WaitOn::Lost { cause }, Lang::Ko) => format!("없음: 실패함 ({cause})"),
        (WaitOn::Other, Lang::En) if state == ThreadState::Polling => {
            "nothing: it keeps polling".to_string()
        }
        (WaitOn::Other, Lang::Ko) if state == ThreadState::Polling => {
            "없음: 계속 폴링 중".to_string()
        }
        (WaitOn::Other, Lang::En) if state == ThreadState::Sleeping => {
            "nothing: it keeps sleeping".to_string()
        }
        (WaitOn::Other, Lang::Ko) if state == ThreadState::Sleeping => {
            "없음: 계속 잠자는 중".to_string()
        }
        (WaitOn::Other, Lang::En) if state == ThreadState::Running => {
            "nothing: it keeps running".to_string()
        }
        (WaitOn::Other, Lang::Ko) if state == ThreadState::Running => {
            "없음: 계속 실행 중".to_string()
        }
        (WaitOn::Other, _) => format!("{state:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiter(name: &str, state: ThreadState, on: WaitOn) -> Waiter {
        Waiter {
            thread: 0,
            name: name.into(),
            state,
            line: 1,
            on,
        }
    }

    #[test]
    fn a_full_queue_is_a_deadlock_in_both_languages() {
        let w = [
            waiter(
                "main",
                ThreadState::BlockedPut,
                WaitOn::Put {
                    queue: "in_queue".into(),
                    len: 2,
                    maxsize: 2,
                },
            ),
            waiter(
                "worker",
                ThreadState::BlockedGet,
                WaitOn::Get { queue: "x".into() },
            ),
        ];
        assert_eq!(classify(&w), HangKind::Deadlock);
        let en = report(HangKind::Deadlock, 5, &w, Lang::En);
        assert!(en.headline.starts_with("Deadlock: main waits to put"));
        assert!(en.message.starts_with(&en.headline));
        assert!(
            en.message.starts_with("Deadlock: main waits to put"),
            "{}",
            en.message
        );
        assert_eq!(en.waiting[0].on, "put() on in_queue (full at 2/2)");
        let ko = report(HangKind::Deadlock, 5, &w, Lang::Ko);
        assert!(ko.message.starts_with("교착 상태: main"), "{}", ko.message);
        assert_eq!(ko.waiting[0].on, "in_queue의 put() (가득 참 2/2)");
    }

    #[test]
    fn a_missing_sentinel_names_the_joined_worker() {
        let w = [
            waiter(
                "main",
                ThreadState::Joining,
                WaitOn::JoinThread {
                    thread: "resize-2".into(),
                },
            ),
            waiter(
                "resize-2",
                ThreadState::BlockedGet,
                WaitOn::Get {
                    queue: "resize_queue".into(),
                },
            ),
            waiter(
                "upload-1",
                ThreadState::BlockedGet,
                WaitOn::Get {
                    queue: "upload_queue".into(),
                },
            ),
        ];
        assert_eq!(classify(&w), HangKind::WorkerNeverEnds);
        let r = report(HangKind::WorkerNeverEnds, 0, &w, Lang::En);
        assert!(
            r.message.starts_with(
                "resize-2 never ends: waiting in get() for a SENTINEL that was never put"
            ),
            "{}",
            r.message
        );
    }

    #[test]
    fn english_headlines_agree_with_how_many_threads_they_name() {
        let put = |name: &str| {
            waiter(
                name,
                ThreadState::BlockedPut,
                WaitOn::Put {
                    queue: "q".into(),
                    len: 1,
                    maxsize: 1,
                },
            )
        };
        let one = report(HangKind::Deadlock, 0, &[put("main")], Lang::En);
        assert!(one.headline.starts_with("Deadlock: main waits to put"));
        let two = report(HangKind::Deadlock, 0, &[put("main"), put("w")], Lang::En);
        assert!(two.headline.starts_with("Deadlock: main, w wait to put"));

        let join = waiter(
            "main",
            ThreadState::Joining,
            WaitOn::JoinQueue {
                queue: "q".into(),
                unfinished: 1,
            },
        );
        let r = report(HangKind::JoinNeverReturns, 0, &[join], Lang::En);
        assert!(r
            .headline
            .starts_with("join() never returns: main waits for"));
        assert_eq!(
            r.waiting[0].on,
            "q.join() (1 unfinished task; no thread will call task_done())"
        );

        let get = |name: &str| {
            waiter(
                name,
                ThreadState::BlockedGet,
                WaitOn::Get { queue: "q".into() },
            )
        };
        let r = report(
            HangKind::WorkerNeverEnds,
            0,
            &[get("a"), get("b")],
            Lang::En,
        );
        assert!(
            r.headline
                .starts_with("a, b never end: waiting in get() for SENTINELs that were never put"),
            "{}",
            r.headline
        );

        let poll = |name: &str| waiter(name, ThreadState::Polling, WaitOn::Other);
        let r = report(HangKind::Stall, 0, &[poll("p")], Lang::En);
        assert!(r.headline.starts_with(
            "Stall: p keeps polling, but no thread is left that could give it an item"
        ));
        let r = report(HangKind::Stall, 0, &[poll("p"), poll("q")], Lang::En);
        assert!(r.headline.starts_with(
            "Stall: p, q keep polling, but no thread is left that could give them an item"
        ));

        let seven: Vec<Waiter> = (0..7).map(|i| get(&format!("w{i}"))).collect();
        let r = report(HangKind::WorkerNeverEnds, 0, &seven, Lang::En);
        assert!(
            r.message.ends_with("and 1 more thread waits."),
            "{}",
            r.message
        );
        // No placeholder plural is left in any English headline.
        for kind in [
            HangKind::Deadlock,
            HangKind::JoinNeverReturns,
            HangKind::WorkerNeverEnds,
            HangKind::Stall,
        ] {
            let r = report(kind, 0, &seven, Lang::En);
            assert!(!r.message.contains("(s)"), "{}", r.message);
        }
    }

    #[test]
    fn long_lists_are_cut_in_the_message_but_kept_in_the_report() {
        let w: Vec<Waiter> = (0..10)
            .map(|i| {
                waiter(
                    &format!("w{i}"),
                    ThreadState::BlockedGet,
                    WaitOn::Get { queue: "q".into() },
                )
            })
            .collect();
        let r = report(HangKind::WorkerNeverEnds, 0, &w, Lang::En);
        assert_eq!(r.waiting.len(), 10);
        assert!(
            r.message.ends_with("and 4 more threads wait."),
            "{}",
            r.message
        );
    }
}
