//! The scenario vocabulary shared by both engines: queues, stages, and threads whose programs
//! mirror Item 55's Python line by line. Pure data (serde JSON in and out); it runs nothing.

mod builder;
mod presets;
mod service;
pub mod validate;

pub use builder::{Arrival, BuilderSpec, PipelineSpec};
pub use presets::{preset, presets, PresetInfo};
pub use service::{parse_duration_us, Rng, Service};
pub use validate::{refused, ScenarioError};

use serde::{Deserialize, Serialize};

/// Index into [`Scenario::queues`].
pub type QueueId = usize;
/// Index into [`Scenario::stages`].
pub type StageId = usize;
/// Index into [`Scenario::threads`]; thread 0 is the program's main thread.
pub type ThreadId = usize;

/// A whole program: what the page shows and what an engine runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// Short id, such as `p3` or `builder`.
    pub id: String,
    pub title: Text,
    /// One line saying what the scenario demonstrates.
    #[serde(default)]
    pub summary: Text,
    /// The Python source; [`Op::line`] numbers its lines from 1.
    #[serde(default)]
    pub source: Vec<String>,
    /// What `print` ops print, indexed by [`PrintText`].
    #[serde(default)]
    pub texts: Vec<Text>,
    pub queues: Vec<QueueSpec>,
    #[serde(default)]
    pub stages: Vec<StageSpec>,
    /// Thread 0 is the main thread and starts at time 0; the others start when a `start` runs.
    pub threads: Vec<ThreadSpec>,
    /// How many items the program produces in all (for "done / total").
    #[serde(default)]
    pub items: u64,
    /// Where finished items land (`done_queue`); without one, an item is done when a thread
    /// takes it off a queue for good.
    #[serde(default)]
    pub done_queue: Option<QueueId>,
    /// Seeds every service-time draw.
    #[serde(default)]
    pub seed: u64,
    /// Simulated memory: items queued x `item_bytes` above `budget_bytes` raises `MemoryError`.
    #[serde(default)]
    pub memory: Option<MemoryBudget>,
    /// What becomes of the items that reach `done_queue`: kept there (the note's program) or
    /// counted and let go. Only kept items count against a memory budget.
    #[serde(default)]
    pub sink: Sink,
}

/// The end of a pipeline: what happens to a finished item put on `done_queue`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sink {
    /// `done_queue = ClosableQueue()`: every finished item stays in memory until the end, as
    /// in the note's program; with a memory budget it counts like any queued item.
    #[default]
    Keep,
    /// `done_queue = CountingSink()`: a finished item is counted and let go; it holds no
    /// memory (also F3's `done_queue`, which keeps only the uploads' small results).
    Count,
}

/// A line in both of the page's languages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub en: String,
    pub ko: String,
}

impl Text {
    /// The text in `lang` with each `{}` replaced by the next value (a `print` of f-strings).
    pub fn fill(&self, lang: Lang, values: &[String]) -> String {
        let text = match lang {
            Lang::En => &self.en,
            Lang::Ko => &self.ko,
        };
        let mut out = String::with_capacity(text.len() + 8);
        let mut rest = text.as_str();
        let mut values = values.iter();
        while let Some(i) = rest.find("{}") {
            out.push_str(&rest[..i]);
            out.push_str(values.next().map_or("{}", |v| v.as_str()));
            rest = &rest[i + 2..];
        }
        out.push_str(rest);
        out
    }

    pub fn new(en: &str, ko: &str) -> Text {
        Text {
            en: en.to_string(),
            ko: ko.to_string(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Ko => &self.ko,
        }
    }
}

/// The console's language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Ko,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "en" => Some(Lang::En),
            "ko" => Some(Lang::Ko),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemoryBudget {
    pub item_bytes: u64,
    pub budget_bytes: u64,
}

impl MemoryBudget {
    /// The budget of a scenario that sets none: what an engine itself spends on a queued item
    /// (an id and two times, with room for the queue's growth), and a total that every build
    /// can hold, 32-bit wasm included: about 1.5 million items queued at once end in
    /// `MemoryError` instead of an abort when the machine runs out. Kept under 2^21 items, so
    /// a queue's buffer (which doubles) stops at 2^21 slots: 48 MiB, 72 MiB while it grows.
    pub const DEFAULT: MemoryBudget = MemoryBudget {
        item_bytes: 32,
        budget_bytes: 48 << 20,
    };

    /// Most items that fit.
    pub fn items(&self) -> u64 {
        self.budget_bytes / self.item_bytes.max(1)
    }
}

/// The three queue flavours of the note.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueKind {
    /// `MyQueue`: a deque and a lock; `get` raises `IndexError` when empty, never blocks.
    Polling,
    /// `queue.Queue(maxsize)`.
    Queue,
    /// `ClosableQueue`: a `Queue` with `close()` (put SENTINEL) and `for item in queue`.
    Closable,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueueSpec {
    pub name: String,
    pub kind: QueueKind,
    /// 0 means unbounded, as in Python.
    #[serde(default)]
    pub maxsize: u32,
}

/// A stage function (`download`, `resize`, `upload`) and the queues around it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageSpec {
    pub name: String,
    pub service: Service,
    pub input: QueueId,
    pub output: Option<QueueId>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ThreadSpec {
    pub name: String,
    /// The stage this thread works for; workers of a stage can be added or removed while running.
    #[serde(default)]
    pub stage: Option<StageId>,
    pub program: Vec<Op>,
}

/// One operation of a thread's program and the Python line it stands for.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Op {
    /// 1-based line in [`Scenario::source`]; 0 when the operation has no line of its own.
    #[serde(default)]
    pub line: u32,
    #[serde(flatten)]
    pub kind: OpKind,
}

/// What a program can do. Targets are indices into the same program.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum OpKind {
    /// `queue.put(value)`: blocks while `qsize() == maxsize`.
    Put {
        queue: QueueId,
        value: Value,
    },
    /// `item = queue.get()`: blocks while empty; the item becomes the thread's held item.
    Get {
        queue: QueueId,
    },
    /// The polling worker's `polled_count += 1; try: item = queue.get()`;
    /// on `IndexError` jumps to `on_empty`.
    PollGet {
        queue: QueueId,
        on_empty: usize,
    },
    /// `queue.task_done()`: raises `ValueError` when called too often.
    TaskDone {
        queue: QueueId,
    },
    /// `queue.join()`: waits until every item put has been marked done.
    Join {
        queue: QueueId,
    },
    /// `queue.close()`: puts SENTINEL (blocks while full).
    Close {
        queue: QueueId,
    },
    /// Inside `for item in queue`: when the item got is SENTINEL, jump to `target`.
    IfSentinel {
        target: usize,
    },
    /// `result = func(item)`: takes the stage's service time.
    Work {
        stage: StageId,
    },
    /// `time.sleep(us)`; `polling` marks the polling worker's idle sleep.
    Sleep {
        us: u64,
        #[serde(default)]
        polling: bool,
    },
    /// `print(...)`: `{}` in the text is replaced by the arguments in order.
    Print {
        text: PrintText,
        args: PrintArgs,
    },
    /// `thread.start()`.
    Start {
        thread: ThreadId,
    },
    /// `for thread in threads: thread.start()` for every worker of a stage.
    StartStage {
        stage: StageId,
    },
    /// `thread.join()`.
    JoinThread {
        thread: ThreadId,
    },
    /// `for thread in threads: thread.join()` for every worker of a stage.
    JoinStage {
        stage: StageId,
    },
    /// Start of `for _ in range(times)`: sets the loop counter; jumps to `end` when it is 0.
    Repeat {
        times: Count,
        end: usize,
    },
    /// End of a `Repeat` body: counts down and jumps back to `target` while iterations remain.
    Loop {
        target: usize,
    },
    /// `while len(queue.items) < until: ...`: the main thread's busy-wait (it spins).
    BusyWait {
        queue: QueueId,
        until: Count,
    },
    Jump {
        target: usize,
    },
    /// The thread's `run` returns.
    End,
}

/// What a `put` puts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Value {
    /// `object()`: a fresh item.
    NewItem,
    /// The item the thread holds (the result of its last `get` and `work`).
    Held,
    Sentinel,
}

/// A number known only while running.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Count {
    Const(u64),
    /// The scenario's `items`.
    Items,
    /// Workers the stage has now (`for _ in threads`).
    Workers(StageId),
}

/// Index into the scenario's print texts. Kept small so that [`Op`] stays `Copy`.
pub type PrintText = u32;

impl Scenario {
    /// The source as the note shows it in `lang`. The Korean note's programs print Korean words
    /// (`print('소비자 대기')`), so in Korean each `print` of a plain string literal shows the
    /// words the console prints; f-strings and anything not found as written stay as they are.
    pub fn source_in(&self, lang: Lang) -> Vec<String> {
        let mut source = self.source.clone();
        if lang == Lang::En {
            return source;
        }
        for op in self.threads.iter().flat_map(|t| &t.program) {
            let OpKind::Print { text, .. } = op.kind else {
                continue;
            };
            let (Some(text), Some(line)) = (
                self.texts.get(text as usize),
                (op.line as usize)
                    .checked_sub(1)
                    .and_then(|l| source.get_mut(l)),
            ) else {
                continue;
            };
            if text.en.contains("{}") {
                continue;
            }
            for quote in ['\'', '"'] {
                let en = format!("{quote}{}{quote}", text.en);
                if line.contains(&en) {
                    *line = line.replacen(&en, &format!("{quote}{}{quote}", text.ko), 1);
                    break;
                }
            }
        }
        // And its comments, as the Korean note words them.
        for line in &mut source {
            if let Some(ko) = crate::python::comment_in_korean(line) {
                *line = ko;
            }
        }
        source
    }
}

/// Up to two arguments of a print.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrintArgs(pub Option<Expr>, pub Option<Expr>);

/// A value a print can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expr {
    /// `queue.qsize()` or `len(queue.items)`; SENTINELs not counted.
    QSize(QueueId),
    /// `sum(t.polled_count for t in threads)`.
    PolledTotal,
}

impl Scenario {
    /// The memory budget the engines run under: the scenario's own, or
    /// [`MemoryBudget::DEFAULT`]. Only the scenario's own counts the items that reach a
    /// `done_queue` (engines keep just their count) and shows in `Stats::memory_budget_bytes`.
    pub fn memory_budget(&self) -> MemoryBudget {
        self.memory.clone().unwrap_or(MemoryBudget::DEFAULT)
    }

    /// Whether the memory budget counts the items in `done_queue`, the one rule both engines
    /// follow: a scenario's own budget counts the items a [`Sink::Keep`] keeps; a queue some
    /// thread takes from is an ordinary queue and always counts; otherwise (the default budget,
    /// or [`Sink::Count`]) the engines keep only the count.
    pub fn budget_counts_done(&self) -> bool {
        (self.memory.is_some() && self.sink == Sink::Keep)
            || self.done_queue.is_some_and(|q| self.queue_taken_from(q))
    }

    /// Whether a stage's worker count may change while running: nothing closes its input
    /// queue, or a loop over its workers does (`for _ in threads: close()`), so that each
    /// worker, however many, gets its SENTINEL.
    pub fn stage_resizable(&self, stage: StageId) -> bool {
        let Some(input) = self.stages.get(stage).map(|s| s.input) else {
            return false;
        };
        let ops = || self.threads.iter().flat_map(|t| t.program.iter());
        let closes = ops().any(|op| match op.kind {
            OpKind::Close { queue } => queue == input,
            OpKind::Put {
                queue,
                value: Value::Sentinel,
            } => queue == input,
            _ => false,
        });
        let per_worker = ops().any(
            |op| matches!(op.kind, OpKind::Repeat { times: Count::Workers(s), .. } if s == stage),
        );
        !closes || per_worker
    }

    /// True when some thread takes items from queue `queue` (`get`, or the polling `popleft`).
    /// A queue nobody takes from (`done_queue`) is a sink: engines keep only its count.
    pub fn queue_taken_from(&self, queue: QueueId) -> bool {
        self.threads.iter().any(|t| {
            t.program.iter().any(|op| {
                matches!(op.kind, OpKind::Get { queue: q } | OpKind::PollGet { queue: q, .. } if q == queue)
            })
        })
    }

    /// The texts that `Print` ops index, stored beside the threads.
    pub fn print_text(&self, index: PrintText) -> Option<&Text> {
        self.texts.get(index as usize)
    }
}
