//! The compiled form of the threads' programs, one for both engines: one flat array of
//! instructions with absolute targets and each successor precomputed (jumps followed, hot pairs
//! fused), and the loops it recognises. It changes no behaviour, only how often an engine's loop
//! goes round; it must not run anything itself.

use crate::scenario::{Op, OpKind};

/// One operation as the engine runs it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Instr {
    pub kind: OpKind,
    /// Where control goes after this instruction, with `Jump`s already followed.
    pub next: u32,
    /// The Python line, for the page's marks.
    pub line: u32,
    /// A zero-time successor folded into this instruction.
    pub fused: Fused,
}

/// Zero-time successors that are run as part of the instruction before them: nothing else can
/// happen in between, so the result is the same with one dispatch fewer. Each successor still
/// counts as an operation of its own (one Python line), and an engine stepping one operation at
/// a time stops in between: at `check` or `at`, which stay instructions of their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fused {
    None,
    /// `get` then `if item is SENTINEL` (at `check`): on a SENTINEL go to `target` (`next`
    /// skips the check).
    Sentinel {
        target: u32,
        check: u32,
    },
    /// As `Sentinel`, and the instruction after the check (`next`) is `work(stage)`: an item
    /// that is not SENTINEL goes straight into the stage function.
    SentinelWork {
        target: u32,
        stage: u32,
        check: u32,
    },
    /// `put` then `queue.task_done()` at `at` (`next` is where the `task_done` goes on).
    TaskDone {
        queue: u32,
        at: u32,
    },
    /// `put` then the end of a `for _ in range(n)` body: count down, back to `target` while
    /// iterations remain (`next` is where the loop exits).
    Loop {
        target: u32,
    },
}

/// A worker's `while True: item = q.get(); if item is SENTINEL: ...; work(item); out.put(item);
/// q.task_done()` loop as compiled: where its three instructions are and what they touch, so
/// that the scheduler can run it without fetching and dispatching each one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WorkerLoop {
    /// `item = input.get()` fused with the SENTINEL check and `work(stage)`.
    pub get: u32,
    /// The `work(stage)` instruction after it, and its stage.
    pub work: u32,
    pub stage: u32,
    /// Where a SENTINEL goes, and the `if item is SENTINEL` instruction itself.
    pub sentinel: u32,
    pub check: u32,
    /// `output.put(item)` fused with `input.task_done()`; its successor is `get`.
    pub put: u32,
    pub input: u32,
    pub output: u32,
    /// The `task_done` instruction itself, where a call once too often raises.
    pub task_done: u32,
}

/// The worker loop starting at `entry`, when the program there is exactly that loop.
pub(crate) fn worker_loop(instrs: &[Instr], entry: u32) -> Option<WorkerLoop> {
    let get = instrs.get(entry as usize)?;
    let (
        OpKind::Get { queue: input },
        Fused::SentinelWork {
            stage,
            target,
            check,
        },
    ) = (get.kind, get.fused)
    else {
        return None;
    };
    let work = instrs.get(get.next as usize)?;
    if work.kind
        != (OpKind::Work {
            stage: stage as usize,
        })
    {
        return None;
    }
    let put = instrs.get(work.next as usize)?;
    match (put.kind, put.fused) {
        (
            OpKind::Put {
                queue: output,
                value: crate::scenario::Value::Held,
            },
            Fused::TaskDone { queue, at },
        ) if queue as usize == input && put.next == entry => Some(WorkerLoop {
            get: entry,
            work: get.next,
            stage,
            sentinel: target,
            check,
            put: work.next,
            input: input as u32,
            output: output as u32,
            task_done: at,
        }),
        _ => None,
    }
}

/// `for _ in range(n): queue.put(object())` as compiled: one `put` of a new item fused with
/// the loop's count, going back to itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SourceLoop {
    pub put: u32,
    pub queue: u32,
    /// Where the loop exits.
    pub exit: u32,
}

/// The first source loop in the program that starts at `entry` (up to its `End`).
pub(crate) fn source_loop(instrs: &[Instr], entry: u32) -> Option<SourceLoop> {
    let program = instrs.get(entry as usize..)?;
    let end = program.iter().position(|i| matches!(i.kind, OpKind::End))?;
    program[..end].iter().enumerate().find_map(|(i, instr)| {
        let pc = entry + i as u32;
        match (instr.kind, instr.fused) {
            (
                OpKind::Put {
                    queue,
                    value: crate::scenario::Value::NewItem,
                },
                Fused::Loop { target },
            ) if target == pc => Some(SourceLoop {
                put: pc,
                queue: queue as u32,
                exit: instr.next,
            }),
            _ => None,
        }
    })
}

pub(crate) struct Code {
    pub instrs: Vec<Instr>,
    /// Where each scenario thread's program starts.
    pub entry: Vec<u32>,
}

/// Jumps followed at most this many times: a cycle of jumps is left for the livelock check.
const MAX_HOPS: usize = 64;

pub(crate) fn compile<'a>(programs: impl Iterator<Item = &'a [Op]>) -> Code {
    let mut instrs = Vec::new();
    let mut entry = Vec::new();
    for program in programs {
        let base = instrs.len();
        entry.push(base as u32);
        for (i, op) in program.iter().enumerate() {
            instrs.push(Instr {
                kind: relocate(op.kind, base),
                next: (base + i + 1) as u32,
                line: op.line,
                fused: Fused::None,
            });
        }
        // Falling off the end of `run` ends the thread.
        let end = instrs.len() as u32;
        instrs.push(Instr {
            kind: OpKind::End,
            next: end,
            line: 0,
            fused: Fused::None,
        });
    }
    let resolve = |instrs: &[Instr], mut at: usize| {
        for _ in 0..MAX_HOPS {
            match instrs[at].kind {
                OpKind::Jump { target } if target != at => at = target,
                _ => break,
            }
        }
        at
    };
    for i in 0..instrs.len() {
        let next = resolve(&instrs, instrs[i].next as usize) as u32;
        let kind = match instrs[i].kind {
            OpKind::Jump { target } => OpKind::Jump {
                target: resolve(&instrs, target),
            },
            OpKind::IfSentinel { target } => OpKind::IfSentinel {
                target: resolve(&instrs, target),
            },
            OpKind::PollGet { queue, on_empty } => OpKind::PollGet {
                queue,
                on_empty: resolve(&instrs, on_empty),
            },
            OpKind::Repeat { times, end } => OpKind::Repeat {
                times,
                end: resolve(&instrs, end),
            },
            OpKind::Loop { target } => OpKind::Loop {
                target: resolve(&instrs, target),
            },
            other => other,
        };
        instrs[i].next = next;
        instrs[i].kind = kind;
    }
    for i in 0..instrs.len() {
        let after = instrs[instrs[i].next as usize];
        match (instrs[i].kind, after.kind) {
            (OpKind::Get { .. }, OpKind::IfSentinel { target }) => {
                let target = target as u32;
                let check = instrs[i].next;
                instrs[i].fused = match instrs[after.next as usize].kind {
                    OpKind::Work { stage } => Fused::SentinelWork {
                        target,
                        stage: stage as u32,
                        check,
                    },
                    _ => Fused::Sentinel { target, check },
                };
                instrs[i].next = after.next;
            }
            (OpKind::Put { .. }, OpKind::TaskDone { queue }) => {
                instrs[i].fused = Fused::TaskDone {
                    queue: queue as u32,
                    at: instrs[i].next,
                };
                instrs[i].next = after.next;
            }
            (OpKind::Put { .. }, OpKind::Loop { target }) => {
                instrs[i].fused = Fused::Loop {
                    target: target as u32,
                };
                instrs[i].next = after.next;
            }
            _ => {}
        }
    }
    Code { instrs, entry }
}

/// For each operation of `program`: where a `task_done()` goes straight on to a `get()` of the
/// same queue (`ClosableQueue.__iter__` between two items), that `get`'s index, else
/// [`NOT_FUSED`]. The live engine runs such a pair as one, taking the queue's lock once.
#[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
pub(crate) fn task_done_then_get(program: &[Op]) -> Vec<usize> {
    let code = compile(std::iter::once(program));
    (0..program.len())
        .map(|pc| {
            let at = code.instrs[pc];
            match (at.kind, code.instrs[at.next as usize].kind) {
                (OpKind::TaskDone { queue }, OpKind::Get { queue: q }) if q == queue => {
                    at.next as usize
                }
                _ => NOT_FUSED,
            }
        })
        .collect()
}

/// No fused `get` follows this operation.
#[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
pub(crate) const NOT_FUSED: usize = usize::MAX;

/// Makes a program's targets absolute.
fn relocate(kind: OpKind, base: usize) -> OpKind {
    match kind {
        OpKind::Jump { target } => OpKind::Jump {
            target: base + target,
        },
        OpKind::IfSentinel { target } => OpKind::IfSentinel {
            target: base + target,
        },
        OpKind::PollGet { queue, on_empty } => OpKind::PollGet {
            queue,
            on_empty: base + on_empty,
        },
        OpKind::Repeat { times, end } => OpKind::Repeat {
            times,
            end: base + end,
        },
        OpKind::Loop { target } => OpKind::Loop {
            target: base + target,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(kind: OpKind) -> Op {
        Op { line: 1, kind }
    }

    #[test]
    fn successors_skip_jumps_and_targets_become_absolute() {
        let a = [op(OpKind::Get { queue: 0 }), op(OpKind::Jump { target: 0 })];
        let b = [
            op(OpKind::Get { queue: 0 }),
            op(OpKind::IfSentinel { target: 3 }),
            op(OpKind::Jump { target: 0 }),
            op(OpKind::End),
        ];
        let code = compile([&a[..], &b[..]].into_iter());
        assert_eq!(code.entry, [0, 3]);
        // a: Get's successor is its own start, not the Jump.
        assert_eq!(code.instrs[0].next, 0);
        // b: IfSentinel targets b's End at 3 + 3; its fall-through jumps back to 3. The Get
        // before it carries the check and goes straight on.
        assert!(matches!(
            code.instrs[4].kind,
            OpKind::IfSentinel { target: 6 }
        ));
        assert_eq!(code.instrs[4].next, 3);
        assert_eq!(
            code.instrs[3].fused,
            Fused::Sentinel {
                target: 6,
                check: 4
            }
        );
        assert_eq!(code.instrs[3].next, 3);
        // The implicit End after each program.
        assert!(matches!(code.instrs[2].kind, OpKind::End));
        assert!(matches!(code.instrs[7].kind, OpKind::End));
    }

    #[test]
    fn a_workers_loop_fuses_into_get_then_work_and_put_then_task_done() {
        // for item in q0: (if SENTINEL: task_done, return) work; q1.put(item); task_done
        let w = [
            op(OpKind::Get { queue: 0 }),
            op(OpKind::IfSentinel { target: 6 }),
            op(OpKind::Work { stage: 2 }),
            op(OpKind::Put {
                queue: 1,
                value: crate::scenario::Value::Held,
            }),
            op(OpKind::TaskDone { queue: 0 }),
            op(OpKind::Jump { target: 0 }),
            op(OpKind::TaskDone { queue: 0 }),
            op(OpKind::End),
        ];
        let code = compile([&w[..]].into_iter());
        let i = &code.instrs;
        assert_eq!(
            i[0].fused,
            Fused::SentinelWork {
                target: 6,
                stage: 2,
                check: 1
            }
        );
        assert_eq!(i[0].next, 2, "a non-SENTINEL item goes on at the work");
        assert_eq!(i[3].fused, Fused::TaskDone { queue: 0, at: 4 });
        assert_eq!(i[3].next, 0, "after the task_done, back to the get");
        // The instructions folded in stay in place for anything that reaches them directly.
        assert!(matches!(i[4].kind, OpKind::TaskDone { queue: 0 }));
        assert_eq!(i[6].fused, Fused::None);
        assert_eq!(
            worker_loop(i, 0),
            Some(WorkerLoop {
                get: 0,
                work: 2,
                stage: 2,
                sentinel: 6,
                check: 1,
                put: 3,
                input: 0,
                output: 1,
                task_done: 4,
            })
        );
    }

    #[test]
    fn only_the_exact_worker_loop_is_taken_for_one() {
        let held = crate::scenario::Value::Held;
        let worker = |task_done_queue: usize, back_to: usize| {
            [
                op(OpKind::Get { queue: 0 }),
                op(OpKind::IfSentinel { target: 6 }),
                op(OpKind::Work { stage: 0 }),
                op(OpKind::Put {
                    queue: 1,
                    value: held,
                }),
                op(OpKind::TaskDone {
                    queue: task_done_queue,
                }),
                op(OpKind::Jump { target: back_to }),
                op(OpKind::End),
            ]
        };
        let loop_at = |p: &[Op]| worker_loop(&compile([p].into_iter()).instrs, 0);
        assert!(loop_at(&worker(0, 0)).is_some());
        // task_done on another queue, or a loop that does not go back to the get.
        assert_eq!(loop_at(&worker(1, 0)), None);
        assert_eq!(loop_at(&worker(0, 2)), None);
        // No SENTINEL check, or no work between get and put.
        let no_check = [
            op(OpKind::Get { queue: 0 }),
            op(OpKind::Work { stage: 0 }),
            op(OpKind::Put {
                queue: 1,
                value: held,
            }),
            op(OpKind::TaskDone { queue: 0 }),
            op(OpKind::Jump { target: 0 }),
        ];
        assert_eq!(loop_at(&no_check), None);
        let mut no_work = worker(0, 0);
        no_work[2] = op(OpKind::Print {
            text: 0,
            args: crate::scenario::PrintArgs::default(),
        });
        assert_eq!(loop_at(&no_work), None);
    }

    #[test]
    fn a_loop_that_only_puts_new_items_is_a_source_loop() {
        let new_item = crate::scenario::Value::NewItem;
        let main = |with_sleep: bool| {
            let mut p = vec![
                op(OpKind::Print {
                    text: 0,
                    args: crate::scenario::PrintArgs::default(),
                }),
                op(OpKind::Repeat {
                    times: crate::scenario::Count::Items,
                    end: if with_sleep { 5 } else { 4 },
                }),
                op(OpKind::Put {
                    queue: 0,
                    value: new_item,
                }),
            ];
            if with_sleep {
                p.push(op(OpKind::Sleep {
                    us: 10,
                    polling: false,
                }));
            }
            p.push(op(OpKind::Loop { target: 2 }));
            p.push(op(OpKind::End));
            p
        };
        let code = compile([&main(false)[..]].into_iter());
        assert_eq!(
            source_loop(&code.instrs, 0),
            Some(SourceLoop {
                put: 2,
                queue: 0,
                exit: 4
            })
        );
        // With a sleep in the body the put is not fused with the loop's count.
        let code = compile([&main(true)[..]].into_iter());
        assert_eq!(source_loop(&code.instrs, 0), None);
    }

    #[test]
    fn a_cycle_of_jumps_does_not_hang_the_compiler() {
        let p = [
            op(OpKind::Jump { target: 1 }),
            op(OpKind::Jump { target: 0 }),
        ];
        let code = compile([&p[..]].into_iter());
        assert_eq!(code.instrs.len(), 3);
    }
}
