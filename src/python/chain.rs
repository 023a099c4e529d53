//! The wait-for chain behind a hang: from the thread the program waits on, through what each
//! waiting thread waits on and which threads could release it, to a typed root cause worded in
//! Python's terms with its source line. Facts come from a `HangView` and the scenario's programs.

use super::hang::{plural, HangView, WaitOn, Waiter, Waits};
use crate::scenario::{Lang, Op, OpKind, Value};
use crate::stats::{ChainLink, ChainRoot, ChainWait, HangChain, RootKind, ThreadState};

/// What one program does with the queues, and on which lines: static facts of the scenario.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct ProgramFacts {
    /// (queue, line) of each `put()`, of an item or a SENTINEL (`close()` included).
    puts: Vec<(usize, u32)>,
    /// (queue, line) of each `close()` or `put(SENTINEL)`; the line is that of the `for` loop
    /// that runs it, when one does (the line that decides how many SENTINELs go in).
    closes: Vec<(usize, u32)>,
    /// (queue, line, inside `for item in queue`, which ends at a SENTINEL).
    gets: Vec<(usize, u32, bool)>,
    /// (queue, line) of each `task_done()`.
    task_dones: Vec<(usize, u32)>,
}

impl ProgramFacts {
    fn of(program: &[Op]) -> ProgramFacts {
        let mut f = ProgramFacts::default();
        for (i, op) in program.iter().enumerate() {
            match op.kind {
                OpKind::Put { queue, value } => {
                    f.puts.push((queue, op.line));
                    if value == Value::Sentinel {
                        f.closes
                            .push((queue, loop_line(program, i).unwrap_or(op.line)));
                    }
                }
                OpKind::Close { queue } => {
                    f.puts.push((queue, op.line));
                    f.closes
                        .push((queue, loop_line(program, i).unwrap_or(op.line)));
                }
                OpKind::Get { queue } => {
                    let sentinel = matches!(
                        program.get(i + 1).map(|o| o.kind),
                        Some(OpKind::IfSentinel { .. })
                    );
                    f.gets.push((queue, op.line, sentinel));
                }
                OpKind::PollGet { queue, .. } => f.gets.push((queue, op.line, false)),
                OpKind::TaskDone { queue } => f.task_dones.push((queue, op.line)),
                _ => {}
            }
        }
        f
    }

    fn puts_into(&self, q: usize) -> bool {
        self.puts.iter().any(|&(p, _)| p == q)
    }
    fn gets_from(&self, q: usize) -> bool {
        self.gets.iter().any(|&(g, _, _)| g == q)
    }
    fn reads_sentinels(&self, q: usize) -> bool {
        self.gets.iter().any(|&(g, _, s)| g == q && s)
    }
    fn calls_task_done(&self, q: usize) -> bool {
        self.task_dones.iter().any(|&(g, _)| g == q)
    }
    fn get_line(&self, q: usize) -> Option<u32> {
        self.gets
            .iter()
            .find(|&&(g, _, _)| g == q)
            .map(|&(_, l, _)| l)
    }
}

/// The line of the innermost `for _ in range(...)` whose body holds operation `at`.
fn loop_line(program: &[Op], at: usize) -> Option<u32> {
    program[..at]
        .iter()
        .enumerate()
        .rev()
        .find_map(|(j, op)| match op.kind {
            OpKind::Repeat { end, .. } if j < at && at < end && op.line > 0 => Some(op.line),
            _ => None,
        })
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct ThreadFact {
    name: String,
    state: ThreadState,
    program: usize,
    line: u32,
    waits: Waits,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct QueueFact {
    name: String,
    len: u64,
    maxsize: u32,
    unfinished: u64,
}

/// What the chain is made from, read from a view when the run hung.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainFacts {
    threads: Vec<ThreadFact>,
    programs: Vec<ProgramFacts>,
    queues: Vec<QueueFact>,
}

impl ChainFacts {
    pub fn seen(view: &impl HangView) -> ChainFacts {
        let scenario = view.scenario();
        ChainFacts {
            threads: (0..view.thread_count())
                .map(|t| ThreadFact {
                    name: view.thread_name(t).to_string(),
                    state: view.thread_state(t),
                    program: view.program(t),
                    line: view.line(t),
                    waits: view.waits(t),
                })
                .collect(),
            programs: scenario
                .threads
                .iter()
                .map(|t| ProgramFacts::of(&t.program))
                .collect(),
            queues: (0..scenario.queues.len())
                .map(|q| QueueFact {
                    name: view.queue_name(q).to_string(),
                    len: view.queue_len(q),
                    maxsize: view.queue_maxsize(q),
                    unfinished: view.unfinished_tasks(q),
                })
                .collect(),
        }
    }

    fn program(&self, t: usize) -> &ProgramFacts {
        static NONE: ProgramFacts = ProgramFacts {
            puts: Vec::new(),
            closes: Vec::new(),
            gets: Vec::new(),
            task_dones: Vec::new(),
        };
        self.programs.get(self.threads[t].program).unwrap_or(&NONE)
    }

    /// Threads other than `but` whose program does `what`, in thread order; `can_still`
    /// keeps only those alive or not started yet (they could still do it).
    fn doing(
        &self,
        but: usize,
        can_still: bool,
        what: impl Fn(&ProgramFacts) -> bool,
    ) -> Vec<usize> {
        (0..self.threads.len())
            .filter(|&u| u != but)
            .filter(|&u| {
                let s = self.threads[u].state;
                !can_still || s.is_alive() || s == ThreadState::NotStarted
            })
            .filter(|&u| what(self.program(u)))
            .collect()
    }

    fn alive(&self, t: usize) -> bool {
        self.threads[t].state.is_alive()
    }
}

/// One waiting thread of a chain, before it is worded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub thread: usize,
    pub wait: ChainWait,
    pub queue: Option<usize>,
    pub target: Option<usize>,
    pub line: u32,
    pub releasers: Vec<usize>,
    pub next: Option<usize>,
    /// Why a lost thread failed.
    cause: Option<String>,
}

/// Where a chain ends, with what its wording needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Root {
    MissingSentinel {
        queue: usize,
        waiter: usize,
        /// The `close()` (or its loop), 0 when no line closes the queue.
        close_line: u32,
        get_line: u32,
        readers: usize,
        ended: usize,
    },
    TaskDoneMissing {
        queue: usize,
        unfinished: u64,
        /// Threads that take items from the queue.
        takers: Vec<usize>,
        get_line: u32,
        /// Threads whose program calls `task_done()` on it (all ended); empty when none does.
        callers: Vec<usize>,
        task_done_line: u32,
        join_line: u32,
    },
    /// (thread, queue, line, the threads that take from the queue), in chain order.
    FullQueueCycle(Vec<(usize, usize, u32, Vec<usize>)>),
    WaitCycle {
        threads: Vec<usize>,
        line: u32,
    },
    NoPutter {
        queue: usize,
        waiter: usize,
        line: u32,
        ended: Vec<usize>,
    },
    NoTaker {
        queue: usize,
        waiter: usize,
        line: u32,
        ended: Vec<usize>,
    },
    NeverStarted {
        thread: usize,
        waiter: usize,
        line: u32,
    },
    ThreadLost {
        thread: usize,
        cause: String,
    },
    StillRunning {
        thread: usize,
        line: u32,
    },
}

/// A wait-for chain, typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chain {
    pub links: Vec<Link>,
    pub root: Root,
    pub others: Vec<Link>,
}

/// The chain from the thread the program waits on (main while it lives, else the first thread
/// alive) to its root cause; `None` when no thread is alive. `waiters` carries what the engine
/// added after it looked (a lost thread's cause).
pub fn wait_chain(facts: &ChainFacts, waiters: &[Waiter]) -> Option<Chain> {
    let n = facts.threads.len();
    let head = (0..n).find(|&t| facts.alive(t))?;
    let link_of = |t: usize| -> Link {
        let th = &facts.threads[t];
        let lost = waiters.iter().find_map(|w| match &w.on {
            WaitOn::Lost { cause } if w.thread == t => Some(cause.clone()),
            _ => None,
        });
        let (wait, queue, target) = match (lost.is_some(), th.state, th.waits) {
            (true, _, _) => (ChainWait::Lost, None, None),
            (_, ThreadState::BlockedGet, Waits::Queue(q)) => (ChainWait::Get, Some(q), None),
            (_, ThreadState::BlockedPut, Waits::Queue(q)) => (ChainWait::Put, Some(q), None),
            (_, ThreadState::Joining, Waits::Queue(q)) => (ChainWait::JoinQueue, Some(q), None),
            (_, ThreadState::Joining, Waits::Thread(o)) if o < n => {
                (ChainWait::JoinThread, None, Some(o))
            }
            (_, ThreadState::Spinning, Waits::Queue(q)) => (ChainWait::BusyWait, Some(q), None),
            _ => (ChainWait::Running, None, None),
        };
        let queue = queue.filter(|&q| q < facts.queues.len());
        let releasers = match (wait, queue) {
            (ChainWait::Get | ChainWait::BusyWait, Some(q)) => {
                facts.doing(t, true, |p| p.puts_into(q))
            }
            (ChainWait::Put, Some(q)) => facts.doing(t, true, |p| p.gets_from(q)),
            (ChainWait::JoinQueue, Some(q)) => facts.doing(t, true, |p| p.calls_task_done(q)),
            (ChainWait::JoinThread, _) => target.into_iter().collect(),
            _ => Vec::new(),
        };
        Link {
            thread: t,
            wait,
            queue,
            target,
            line: th.line,
            releasers,
            next: None,
            cause: lost,
        }
    };

    let mut links: Vec<Link> = Vec::new();
    let mut cur = head;
    let root = loop {
        let mut link = link_of(cur);
        let on_chain = |u: usize, links: &[Link]| u == cur || links.iter().any(|l| l.thread == u);
        match link.wait {
            ChainWait::Lost => {
                let cause = link.cause.clone().unwrap_or_default();
                links.push(link);
                break Root::ThreadLost { thread: cur, cause };
            }
            ChainWait::Running => {
                links.push(link);
                break Root::StillRunning {
                    thread: cur,
                    line: facts.threads[cur].line,
                };
            }
            _ => {}
        }
        let fresh: Vec<usize> = link
            .releasers
            .iter()
            .copied()
            .filter(|&u| !on_chain(u, &links))
            .collect();
        if let Some(&u) = fresh.iter().find(|&&u| facts.alive(u)) {
            link.next = Some(u);
            links.push(link);
            cur = u;
            continue;
        }
        if let Some(&u) = fresh.first() {
            link.next = Some(u);
            let line = link.line;
            links.push(link);
            break Root::NeverStarted {
                thread: u,
                waiter: cur,
                line,
            };
        }
        // No releaser left off the chain: the cause is here.
        let q = link.queue.unwrap_or(0);
        let root = match link.wait {
            ChainWait::Get | ChainWait::BusyWait if facts.program(cur).reads_sentinels(q) => {
                let readers = facts.doing(usize::MAX, false, |p| p.reads_sentinels(q));
                let readers: Vec<usize> = readers
                    .into_iter()
                    .filter(|&u| facts.threads[u].state != ThreadState::NotStarted)
                    .collect();
                let ended = readers
                    .iter()
                    .filter(|&&u| facts.threads[u].state == ThreadState::Ended)
                    .count();
                let close_line = link
                    .releasers
                    .iter()
                    .map(|&u| facts.program(u))
                    .chain(facts.programs.iter())
                    .find_map(|p| p.closes.iter().find(|&&(c, _)| c == q).map(|&(_, l)| l))
                    .unwrap_or(0);
                Root::MissingSentinel {
                    queue: q,
                    waiter: cur,
                    close_line,
                    get_line: link.line,
                    readers: readers.len(),
                    ended,
                }
            }
            ChainWait::Get | ChainWait::BusyWait if link.releasers.is_empty() => Root::NoPutter {
                queue: q,
                waiter: cur,
                line: link.line,
                ended: facts.doing(cur, false, |p| p.puts_into(q)),
            },
            ChainWait::Put if link.releasers.is_empty() => Root::NoTaker {
                queue: q,
                waiter: cur,
                line: link.line,
                ended: facts.doing(cur, false, |p| p.gets_from(q)),
            },
            ChainWait::JoinQueue if link.releasers.is_empty() => {
                let takers = facts.doing(cur, false, |p| p.gets_from(q));
                let get_line = takers
                    .iter()
                    .find_map(|&u| facts.program(u).get_line(q))
                    .unwrap_or(0);
                let callers = facts.doing(cur, false, |p| p.calls_task_done(q));
                let task_done_line = callers
                    .iter()
                    .find_map(|&u| {
                        let p = facts.program(u);
                        p.task_dones.iter().find(|&&(g, _)| g == q).map(|&(_, l)| l)
                    })
                    .unwrap_or(0);
                Root::TaskDoneMissing {
                    queue: q,
                    unfinished: facts.queues.get(q).map_or(0, |f| f.unfinished),
                    takers,
                    get_line,
                    callers,
                    task_done_line,
                    join_line: link.line,
                }
            }
            _ => {
                // A cycle: from the first releaser already on the chain back round to here.
                let start = link
                    .releasers
                    .iter()
                    .filter_map(|&u| links.iter().position(|l| l.thread == u))
                    .min()
                    .unwrap_or(links.len());
                let mut cycle: Vec<&Link> = links[start..].iter().collect();
                cycle.push(&link);
                if cycle
                    .iter()
                    .all(|l| l.wait == ChainWait::Put && l.queue.is_some())
                {
                    Root::FullQueueCycle(
                        cycle
                            .iter()
                            .map(|l| (l.thread, l.queue.unwrap_or(0), l.line, l.releasers.clone()))
                            .collect(),
                    )
                } else {
                    Root::WaitCycle {
                        threads: cycle.iter().map(|l| l.thread).collect(),
                        line: cycle[0].line,
                    }
                }
            }
        };
        links.push(link);
        break root;
    };
    let others = (0..n)
        .filter(|&t| facts.alive(t) && links.iter().all(|l| l.thread != t))
        .map(link_of)
        .collect();
    Some(Chain {
        links,
        root,
        others,
    })
}

/// Names shown in a list before "and N more".
const NAMED: usize = 4;

impl Chain {
    /// The chain worded in `lang`, for the report.
    pub fn worded(&self, facts: &ChainFacts, lang: Lang) -> HangChain {
        let w = Words { facts, lang };
        HangChain {
            links: self.links.iter().map(|l| w.link(l)).collect(),
            root: w.root(&self.root),
            others: self.others.iter().map(|l| w.link(l)).collect(),
        }
    }
}

struct Words<'a> {
    facts: &'a ChainFacts,
    lang: Lang,
}

impl Words<'_> {
    fn name(&self, t: usize) -> &str {
        self.facts.threads.get(t).map_or("?", |th| th.name.as_str())
    }
    fn queue(&self, q: usize) -> &str {
        self.facts.queues.get(q).map_or("?", |f| f.name.as_str())
    }
    /// Up to [`NAMED`] names, then how many more: "a, b and c" ("or" when `or`).
    fn list(&self, threads: &[usize], or: bool) -> String {
        let shown: Vec<&str> = threads.iter().take(NAMED).map(|&t| self.name(t)).collect();
        let more = threads.len().saturating_sub(NAMED);
        match self.lang {
            Lang::Ko if more > 0 => format!("{} 외 {more}개", shown.join(", ")),
            Lang::Ko => shown.join(", "),
            Lang::En => {
                let word = if or { "or" } else { "and" };
                let mut items: Vec<String> = shown.iter().map(|s| s.to_string()).collect();
                if more > 0 {
                    items.push(format!("{more} more"));
                }
                match items.split_last() {
                    Some((last, rest)) if !rest.is_empty() => {
                        format!("{} {word} {last}", rest.join(", "))
                    }
                    _ => items.join(""),
                }
            }
        }
    }
    fn names(&self, threads: &[usize]) -> String {
        self.list(threads, false)
    }
    /// " at line 5" / "5번째 줄의 ", or nothing for line 0.
    fn at(&self, line: u32) -> String {
        match (line, self.lang) {
            (0, _) => String::new(),
            (l, Lang::En) => format!(" at line {l}"),
            (l, Lang::Ko) => format!("{l}번째 줄의 "),
        }
    }
    /// "; see line 5" / ". 5번째 줄을 보세요", or nothing for line 0.
    fn see(&self, line: u32) -> String {
        match (line, self.lang) {
            (0, _) => String::new(),
            (l, Lang::En) => format!("; see line {l}"),
            (l, Lang::Ko) => format!(". {l}번째 줄을 보세요"),
        }
    }

    fn link(&self, l: &Link) -> ChainLink {
        let t = self.name(l.thread);
        let q = l.queue.map_or("?", |q| self.queue(q));
        let at = self.at(l.line);
        let r = self.list(&l.releasers, true);
        let none = l.releasers.is_empty();
        let f = l.queue.and_then(|q| self.facts.queues.get(q));
        let text = match (l.wait, self.lang) {
            (ChainWait::Get, Lang::En) if none => {
                format!("{t} waits in {q}.get(){at}: {q} is empty, and no thread left will put into it")
            }
            (ChainWait::Get, Lang::En) => {
                format!("{t} waits in {q}.get(){at}: {q} is empty, and {r} could put into it")
            }
            (ChainWait::Get, Lang::Ko) if none => format!(
                "{t} 스레드가 {at}{q}.get()에서 기다립니다: {q} 큐가 비어 있고, 넣을 스레드가 남아 있지 않습니다"
            ),
            (ChainWait::Get, Lang::Ko) => format!(
                "{t} 스레드가 {at}{q}.get()에서 기다립니다: {q} 큐가 비어 있고, {r} 스레드가 넣을 수 있습니다"
            ),
            (ChainWait::Put, lang) => {
                let (len, max) = f.map_or((0, 0), |f| (f.len, f.maxsize));
                match (lang, none) {
                    (Lang::En, true) => format!(
                        "{t} waits in {q}.put(){at}: {q} is full ({len}/{max}), and no thread left will take from it"
                    ),
                    (Lang::En, false) => format!(
                        "{t} waits in {q}.put(){at}: {q} is full ({len}/{max}), and {r} could take from it"
                    ),
                    (Lang::Ko, true) => format!(
                        "{t} 스레드가 {at}{q}.put()에서 기다립니다: {q} 큐가 가득 찼고({len}/{max}), 꺼낼 스레드가 남아 있지 않습니다"
                    ),
                    (Lang::Ko, false) => format!(
                        "{t} 스레드가 {at}{q}.put()에서 기다립니다: {q} 큐가 가득 찼고({len}/{max}), {r} 스레드가 꺼낼 수 있습니다"
                    ),
                }
            }
            (ChainWait::JoinQueue, lang) => {
                let n = f.map_or(0, |f| f.unfinished);
                let tasks = plural(n as usize, "task", "tasks");
                match (lang, none) {
                    (Lang::En, true) => format!(
                        "{t} waits in {q}.join(){at} for {n} unfinished {tasks}, and no thread left will call {q}.task_done()"
                    ),
                    (Lang::En, false) => format!(
                        "{t} waits in {q}.join(){at} for {n} unfinished {tasks}, and {r} could call {q}.task_done()"
                    ),
                    (Lang::Ko, true) => format!(
                        "{t} 스레드가 {at}{q}.join()에서 끝나지 않은 작업 {n}개를 기다립니다: {q}.task_done()을 호출할 스레드가 남아 있지 않습니다"
                    ),
                    (Lang::Ko, false) => format!(
                        "{t} 스레드가 {at}{q}.join()에서 끝나지 않은 작업 {n}개를 기다립니다: {r} 스레드가 {q}.task_done()을 호출할 수 있습니다"
                    ),
                }
            }
            (ChainWait::JoinThread, Lang::En) => {
                let o = l.target.map_or("?", |o| self.name(o));
                format!("{t} waits in thread.join(){at} for {o} to end")
            }
            (ChainWait::JoinThread, Lang::Ko) => {
                let o = l.target.map_or("?", |o| self.name(o));
                format!("{t} 스레드가 {at}thread.join()에서 {o} 스레드가 끝나기를 기다립니다")
            }
            (ChainWait::BusyWait, Lang::En) => {
                format!("{t} busy-waits on len({q}.items){at}, and {r} could put into {q}")
            }
            (ChainWait::BusyWait, Lang::Ko) => format!(
                "{t} 스레드가 {at}len({q}.items)를 바쁘게 기다립니다: {r} 스레드가 {q} 큐에 넣을 수 있습니다"
            ),
            (ChainWait::Lost, Lang::En) => format!(
                "{t} failed inside the engine ({})",
                l.cause.as_deref().unwrap_or("")
            ),
            (ChainWait::Lost, Lang::Ko) => format!(
                "{t} 스레드가 엔진 안에서 실패했습니다 ({})",
                l.cause.as_deref().unwrap_or("")
            ),
            (ChainWait::Running, Lang::En) => format!("{t} is still running{at}"),
            (ChainWait::Running, Lang::Ko) => format!("{t} 스레드가 {at}코드를 아직 실행 중입니다"),
        };
        ChainLink {
            thread: l.thread,
            name: t.to_string(),
            line: l.line,
            wait: l.wait,
            queue: l.queue,
            target: l.target,
            releasers: l.releasers.clone(),
            next: l.next,
            text,
        }
    }

    fn root(&self, root: &Root) -> ChainRoot {
        let en = self.lang == Lang::En;
        let items = |n: u64| match (n, self.lang) {
            (1, Lang::En) => "1 item".to_string(),
            (n, Lang::En) => format!("{n} items"),
            (n, Lang::Ko) => format!("아이템 {n}개"),
        };
        let (kind, line, queues, threads, text) = match root {
            &Root::MissingSentinel {
                queue,
                waiter,
                close_line,
                get_line,
                readers,
                ended,
            } => {
                let (q, w) = (self.queue(queue), self.name(waiter));
                let text = match (close_line, self.lang) {
                    (0, Lang::En) => format!(
                        "no SENTINEL was ever put into {q}: no line calls {q}.close(), so {w} waits in {q}.get() forever{}",
                        self.see(get_line)
                    ),
                    (0, Lang::Ko) => format!(
                        "{q} 큐에 센티넬을 넣는 줄이 없습니다: {q}.close()를 호출하지 않아 {w} 스레드가 {q}.get()에서 영원히 기다립니다{}",
                        self.see(get_line)
                    ),
                    (l, Lang::En) => {
                        let who = if readers == 1 {
                            "1 thread reads it".to_string()
                        } else {
                            let have = plural(ended, "has", "have");
                            format!("{readers} threads read it and {ended} {have} ended")
                        };
                        format!(
                            "no SENTINEL was ever put into {q} for {w} ({who}){}",
                            self.see(l)
                        )
                    }
                    (l, Lang::Ko) => format!(
                        "{q} 큐에 {w} 스레드를 위한 센티넬이 들어가지 않았습니다 ({q} 큐를 읽는 스레드 {readers}개 중 {ended}개가 끝났습니다){}",
                        self.see(l)
                    ),
                };
                let line = if close_line > 0 { close_line } else { get_line };
                (
                    RootKind::MissingSentinel,
                    line,
                    vec![queue],
                    vec![waiter],
                    text,
                )
            }
            Root::TaskDoneMissing {
                queue,
                unfinished,
                takers,
                get_line,
                callers,
                task_done_line,
                join_line,
            } => {
                let q = self.queue(*queue);
                let n = items(*unfinished);
                let (text, line, threads) = if !callers.is_empty() {
                    let c = self.names(callers);
                    let text = if en {
                        format!(
                            "{q}.task_done() was never called for {n}: the threads that call it ({c}) have ended{}",
                            self.see(*task_done_line)
                        )
                    } else {
                        format!(
                            "{n}에 대해 {q}.task_done()이 호출되지 않았습니다: 호출할 스레드({c})가 모두 끝났습니다{}",
                            self.see(*task_done_line)
                        )
                    };
                    (text, *task_done_line, callers.clone())
                } else if takers.is_empty() {
                    let text = if en {
                        format!(
                            "{q}.task_done() was never called for {n}: no thread gets from {q}{}",
                            self.see(*join_line)
                        )
                    } else {
                        format!(
                            "{n}에 대해 {q}.task_done()이 호출되지 않았습니다: {q} 큐에서 꺼내는 스레드가 없습니다{}",
                            self.see(*join_line)
                        )
                    };
                    (text, *join_line, Vec::new())
                } else {
                    let t = self.names(takers);
                    let at = self.at(*get_line);
                    let text = if en {
                        format!(
                            "{q}.task_done() was never called for {n}: {t} took it with {q}.get(){at}, and no line calls {q}.task_done()"
                        )
                    } else {
                        format!(
                            "{n}에 대해 {q}.task_done()이 호출되지 않았습니다: {t} 스레드가 {at}{q}.get()으로 꺼냈지만 {q}.task_done()을 호출하는 줄이 없습니다"
                        )
                    };
                    (text, *get_line, takers.clone())
                };
                (RootKind::TaskDoneMissing, line, vec![*queue], threads, text)
            }
            Root::FullQueueCycle(cycle) => {
                let names: Vec<&str> = cycle.iter().map(|&(_, q, _, _)| self.queue(q)).collect();
                let head = match (names.len(), self.lang) {
                    (2, Lang::En) => format!(
                        "{} and {} are full and wait on each other",
                        names[0], names[1]
                    ),
                    (2, Lang::Ko) => format!(
                        "{} 큐와 {} 큐가 가득 차서 서로를 기다립니다",
                        names[0], names[1]
                    ),
                    (n, Lang::En) => format!(
                        "{n} full queues wait on each other in a cycle ({})",
                        names.join(", ")
                    ),
                    (n, Lang::Ko) => format!(
                        "가득 찬 큐 {n}개가 순환하며 서로를 기다립니다({})",
                        names.join(", ")
                    ),
                };
                let parts: Vec<String> = cycle
                    .iter()
                    .enumerate()
                    .map(|(i, (t, q, l, takers))| {
                        let (t, q, r) = (self.name(*t), self.queue(*q), self.list(takers, true));
                        let last = i + 1 == cycle.len();
                        match self.lang {
                            Lang::En => {
                                format!("{t} cannot put into {q} (line {l}) until {r} gets from it")
                            }
                            Lang::Ko => format!(
                                "{t} 스레드는 {r} 스레드가 꺼낼 때까지 {q} 큐에 넣을 수 {}({l}번째 줄)",
                                if last { "없습니다" } else { "없고" }
                            ),
                        }
                    })
                    .collect();
                let sep = if en { "; " } else { ", " };
                let text = format!("{head}: {}", parts.join(sep));
                (
                    RootKind::FullQueueCycle,
                    cycle.first().map_or(0, |c| c.2),
                    cycle.iter().map(|c| c.1).collect(),
                    cycle.iter().map(|c| c.0).collect(),
                    text,
                )
            }
            Root::WaitCycle { threads, line } => {
                let names = self.names(threads);
                let text = if en {
                    format!(
                        "{names} wait on each other in a cycle, and none can go on first{}",
                        self.see(*line)
                    )
                } else {
                    format!(
                        "{names} 스레드가 서로를 기다리는 순환에 빠져 아무도 먼저 진행할 수 없습니다{}",
                        self.see(*line)
                    )
                };
                (
                    RootKind::WaitCycle,
                    *line,
                    Vec::new(),
                    threads.clone(),
                    text,
                )
            }
            Root::NoPutter {
                queue,
                waiter,
                line,
                ended,
            } => {
                let (q, w, see) = (self.queue(*queue), self.name(*waiter), self.see(*line));
                let e = self.names(ended);
                let text = match (ended.is_empty(), self.lang) {
                    (true, Lang::En) => {
                        format!("no thread puts into {q}, so {w} waits in {q}.get() forever{see}")
                    }
                    (false, Lang::En) => format!(
                        "every thread that puts into {q} ({e}) has ended, so {w} waits in {q}.get() forever{see}"
                    ),
                    (true, Lang::Ko) => format!(
                        "{q} 큐에 넣는 스레드가 없어 {w} 스레드가 {q}.get()에서 영원히 기다립니다{see}"
                    ),
                    (false, Lang::Ko) => format!(
                        "{q} 큐에 넣는 스레드({e})가 모두 끝나서 {w} 스레드가 {q}.get()에서 영원히 기다립니다{see}"
                    ),
                };
                (RootKind::NoPutter, *line, vec![*queue], vec![*waiter], text)
            }
            Root::NoTaker {
                queue,
                waiter,
                line,
                ended,
            } => {
                let (q, w, see) = (self.queue(*queue), self.name(*waiter), self.see(*line));
                let e = self.names(ended);
                let text = match (ended.is_empty(), self.lang) {
                    (true, Lang::En) => format!(
                        "no thread takes from {q}, so {w} waits in {q}.put() forever{see}"
                    ),
                    (false, Lang::En) => format!(
                        "every thread that takes from {q} ({e}) has ended, so {w} waits in {q}.put() forever{see}"
                    ),
                    (true, Lang::Ko) => format!(
                        "{q} 큐에서 꺼내는 스레드가 없어 {w} 스레드가 {q}.put()에서 영원히 기다립니다{see}"
                    ),
                    (false, Lang::Ko) => format!(
                        "{q} 큐에서 꺼내는 스레드({e})가 모두 끝나서 {w} 스레드가 {q}.put()에서 영원히 기다립니다{see}"
                    ),
                };
                (RootKind::NoTaker, *line, vec![*queue], vec![*waiter], text)
            }
            Root::NeverStarted {
                thread,
                waiter,
                line,
            } => {
                let (o, w, see) = (self.name(*thread), self.name(*waiter), self.see(*line));
                let text = if en {
                    format!("{o} was never started, so {w} waits forever{see}")
                } else {
                    format!("{o} 스레드가 시작되지 않아 {w} 스레드가 영원히 기다립니다{see}")
                };
                (
                    RootKind::NeverStarted,
                    *line,
                    Vec::new(),
                    vec![*thread],
                    text,
                )
            }
            Root::ThreadLost { thread, cause } => {
                let t = self.name(*thread);
                let text = if en {
                    format!("{t} failed inside the engine ({cause}), so it will release no one")
                } else {
                    format!("{t} 스레드가 엔진 안에서 실패하여({cause}) 아무도 깨울 수 없습니다")
                };
                (RootKind::ThreadLost, 0, Vec::new(), vec![*thread], text)
            }
            Root::StillRunning { thread, line } => {
                let (t, at) = (self.name(*thread), self.at(*line));
                let text = if en {
                    format!(
                        "{t} is still running{at}, and the run was ended before it released anyone"
                    )
                } else {
                    format!("{t} 스레드가 {at}코드를 아직 실행 중인데 실행이 끝났습니다")
                };
                (
                    RootKind::StillRunning,
                    *line,
                    Vec::new(),
                    vec![*thread],
                    text,
                )
            }
        };
        ChainRoot {
            kind,
            line,
            queues,
            threads,
            text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Count;

    fn op(line: u32, kind: OpKind) -> Op {
        Op { line, kind }
    }

    #[test]
    fn a_close_inside_a_for_loop_is_blamed_on_the_loop_line() {
        let program = [
            op(
                7,
                OpKind::Repeat {
                    times: Count::Const(2),
                    end: 3,
                },
            ),
            op(8, OpKind::Close { queue: 1 }),
            op(7, OpKind::Loop { target: 1 }),
            op(9, OpKind::Close { queue: 2 }),
        ];
        let f = ProgramFacts::of(&program);
        assert_eq!(f.closes, [(1, 7), (2, 9)]);
        assert_eq!(f.puts, [(1, 8), (2, 9)]);
    }

    #[test]
    fn long_lists_of_threads_are_cut_and_joined_in_each_language() {
        let facts = ChainFacts {
            threads: (0..6)
                .map(|i| ThreadFact {
                    name: format!("w-{i}"),
                    state: ThreadState::BlockedGet,
                    program: 0,
                    line: 1,
                    waits: Waits::Nothing,
                })
                .collect(),
            programs: Vec::new(),
            queues: Vec::new(),
        };
        let en = Words {
            facts: &facts,
            lang: Lang::En,
        };
        assert_eq!(en.list(&[0], true), "w-0");
        assert_eq!(en.list(&[0, 1], true), "w-0 or w-1");
        assert_eq!(en.names(&[0, 1, 2]), "w-0, w-1 and w-2");
        assert_eq!(
            en.list(&[0, 1, 2, 3, 4, 5], true),
            "w-0, w-1, w-2, w-3 or 2 more"
        );
        let ko = Words {
            facts: &facts,
            lang: Lang::Ko,
        };
        assert_eq!(ko.names(&[0, 1, 2, 3, 4, 5]), "w-0, w-1, w-2, w-3 외 2개");
        assert_eq!(ko.see(12), ". 12번째 줄을 보세요");
        assert_eq!(en.see(0), "");
    }

    #[test]
    fn english_counts_agree_with_their_nouns_and_verbs() {
        let facts = |unfinished| ChainFacts {
            threads: ["main", "w-1", "w-2", "w-3"]
                .iter()
                .map(|name| ThreadFact {
                    name: name.to_string(),
                    state: ThreadState::Joining,
                    program: 0,
                    line: 1,
                    waits: Waits::Nothing,
                })
                .collect(),
            programs: Vec::new(),
            queues: vec![QueueFact {
                name: "q".into(),
                len: 0,
                maxsize: 0,
                unfinished,
            }],
        };
        let join = Link {
            thread: 0,
            wait: ChainWait::JoinQueue,
            queue: Some(0),
            target: None,
            line: 9,
            releasers: Vec::new(),
            next: None,
            cause: None,
        };
        let text = |unfinished| {
            let facts = facts(unfinished);
            let w = Words {
                facts: &facts,
                lang: Lang::En,
            };
            w.link(&join).text
        };
        assert!(
            text(1).contains(" for 1 unfinished task, and"),
            "{}",
            text(1)
        );
        assert!(
            text(3).contains(" for 3 unfinished tasks, and"),
            "{}",
            text(3)
        );
        let facts = facts(0);
        let en = Words {
            facts: &facts,
            lang: Lang::En,
        };
        let sentinel = |readers, ended| {
            en.root(&Root::MissingSentinel {
                queue: 0,
                waiter: 1,
                close_line: 7,
                get_line: 3,
                readers,
                ended,
            })
            .text
        };
        assert!(sentinel(3, 1).contains("(3 threads read it and 1 has ended)"));
        assert!(sentinel(3, 2).contains("(3 threads read it and 2 have ended)"));
        assert!(sentinel(1, 0).contains("(1 thread reads it)"));
    }
}
