//! What each thread of a hung live run waits on, read from what the threads published, in the
//! shared vocabulary of `crate::hang` (which classifies and words the report for both engines).
//! It must not decide *whether* the run hangs (`Shared::on_idle` does).

use super::shared::{Shared, Wait};
use crate::hang::{self, WaitOn, Waiter};
use crate::scenario::Lang;
use crate::stats::{HangKind, HangReport, ThreadState};
use std::sync::atomic::Ordering;

/// A hang as seen when it happened; worded on demand, in the reader's language.
#[derive(Clone, Debug)]
pub(crate) struct Hung {
    pub kind: HangKind,
    pub at_us: u64,
    pub waiters: Vec<Waiter>,
}

impl Hung {
    pub fn report(&self, lang: Lang) -> HangReport {
        hang::report(self.kind, self.at_us, &self.waiters, lang)
    }
}

/// Reads every live thread's wait. Call only when no thread runs and none waits on a deadline,
/// so that what they published is what they wait on.
pub(crate) fn seen(sh: &Shared) -> Hung {
    let mut hung = seen_as(sh, HangKind::AllBlocked, None);
    hung.kind = hang::classify(&hung.waiters);
    hung
}

/// The run ends as `kind` while threads may still run (a livelock, the time limit, a lost
/// thread): what each thread was doing when it ended; `lost` is the thread that failed, and why.
pub(crate) fn seen_as(sh: &Shared, kind: HangKind, lost: Option<(usize, &str)>) -> Hung {
    let mut waiters = Vec::new();
    for t in 0..sh.n_threads() {
        let slot = sh.slot(t);
        let state = slot.state();
        if !state.is_alive() {
            continue;
        }
        let wait = Wait::decode(slot.wait.load(Ordering::SeqCst));
        let on = match (state, wait) {
            (ThreadState::BlockedGet, Wait::Queue(q)) => WaitOn::Get {
                queue: sh.queues[q].name.clone(),
            },
            (ThreadState::BlockedPut, Wait::Queue(q)) => {
                let q = &sh.queues[q];
                WaitOn::Put {
                    queue: q.name.clone(),
                    len: q.qsize(),
                    maxsize: q.maxsize(),
                }
            }
            (ThreadState::Joining, Wait::Queue(q)) => WaitOn::JoinQueue {
                queue: sh.queues[q].name.clone(),
                unfinished: sh.queues[q].unfinished_tasks(),
            },
            (ThreadState::Joining, Wait::Thread(o)) => WaitOn::JoinThread {
                thread: sh.slot(o).name.clone(),
            },
            (ThreadState::Spinning, Wait::Queue(q)) => WaitOn::BusyWait {
                queue: sh.queues[q].name.clone(),
            },
            _ => WaitOn::Other,
        };
        let on = match lost {
            Some((l, cause)) if l == t => WaitOn::Lost {
                cause: cause.to_string(),
            },
            _ => on,
        };
        waiters.push(Waiter {
            thread: t,
            name: slot.name.clone(),
            state,
            line: sh.current_line(t),
            on,
        });
    }
    Hung {
        kind,
        at_us: sh.clock.now(),
        waiters,
    }
}
