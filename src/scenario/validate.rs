//! Validation: turns every bad value of a scenario into a typed error that names the field and
//! what is allowed, so that an engine can assume its input is sound and never panics on it.

use super::{Count, Expr, OpKind, QueueKind, Scenario, Service};
use crate::limits::{MAX_DURATION_US, MAX_MAXSIZE, MAX_SCENARIO_ITEMS, MAX_THREADS};
use serde::Serialize;
use std::fmt;

/// Why a scenario, a builder value or a control change was refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum ScenarioError {
    /// A number outside what is allowed.
    OutOfRange {
        field: String,
        value: String,
        allowed: String,
    },
    /// A value that is wrong for another reason.
    Invalid {
        field: String,
        reason: String,
    },
    /// JSON that does not parse or does not have the scenario's shape.
    Json {
        message: String,
    },
    UnknownPreset {
        id: String,
    },
}

impl ScenarioError {
    pub(crate) fn range(field: impl Into<String>, value: impl fmt::Display, allowed: &str) -> Self {
        ScenarioError::OutOfRange {
            field: field.into(),
            value: value.to_string(),
            allowed: allowed.to_string(),
        }
    }

    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        ScenarioError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The field the error is about, where it has one.
    pub fn field(&self) -> Option<&str> {
        match self {
            ScenarioError::OutOfRange { field, .. } | ScenarioError::Invalid { field, .. } => {
                Some(field)
            }
            _ => None,
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::OutOfRange {
                field,
                value,
                allowed,
            } => write!(f, "{field}: {value} is out of range (allowed: {allowed})"),
            ScenarioError::Invalid { field, reason } => write!(f, "{field}: {reason}"),
            ScenarioError::Json { message } => write!(f, "scenario JSON: {message}"),
            ScenarioError::UnknownPreset { id } => {
                write!(f, "preset: no preset `{id}` (see `pipeline-lab presets`)")
            }
        }
    }
}

impl std::error::Error for ScenarioError {}

impl Scenario {
    /// Reads a scenario from JSON and validates it.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        let scenario: Scenario = serde_json::from_str(text).map_err(|e| ScenarioError::Json {
            message: e.to_string(),
        })?;
        scenario.validate()?;
        Ok(scenario)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a scenario always serializes")
    }

    /// Checks every reference and range; the engines rely on it.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.threads.is_empty() {
            return Err(ScenarioError::invalid(
                "threads",
                "needs at least the main thread",
            ));
        }
        if self.threads.len() > MAX_THREADS {
            return Err(ScenarioError::range(
                "threads",
                self.threads.len(),
                &format!("1..={MAX_THREADS}"),
            ));
        }
        if self.items > MAX_SCENARIO_ITEMS {
            return Err(ScenarioError::range(
                "items",
                self.items,
                &format!("0..={MAX_SCENARIO_ITEMS}"),
            ));
        }
        let n_queues = self.queues.len();
        for (i, q) in self.queues.iter().enumerate() {
            if q.maxsize > MAX_MAXSIZE {
                return Err(ScenarioError::range(
                    format!("queues[{i}].maxsize"),
                    q.maxsize,
                    &format!("0..={MAX_MAXSIZE} (0 = unbounded)"),
                ));
            }
            if q.kind == QueueKind::Polling && q.maxsize != 0 {
                return Err(ScenarioError::invalid(
                    format!("queues[{i}].maxsize"),
                    "a polling MyQueue (deque) has no maxsize; use 0",
                ));
            }
        }
        if let Some(d) = self.done_queue {
            check_index("done_queue", d, n_queues, "queues")?;
        }
        for (i, s) in self.stages.iter().enumerate() {
            check_index(&format!("stages[{i}].input"), s.input, n_queues, "queues")?;
            if let Some(o) = s.output {
                check_index(&format!("stages[{i}].output"), o, n_queues, "queues")?;
            }
            check_service(&format!("stages[{i}].service"), &s.service)?;
        }
        if let Some(m) = &self.memory {
            if m.item_bytes == 0 || m.budget_bytes == 0 {
                return Err(ScenarioError::invalid(
                    "memory",
                    "item_bytes and budget_bytes must be above 0",
                ));
            }
        }
        for (t, thread) in self.threads.iter().enumerate() {
            if let Some(s) = thread.stage {
                check_index(
                    &format!("threads[{t}].stage"),
                    s,
                    self.stages.len(),
                    "stages",
                )?;
            }
            if t == 0 && thread.stage.is_some() {
                return Err(ScenarioError::invalid(
                    "threads[0].stage",
                    "thread 0 is the main thread and belongs to no stage",
                ));
            }
            for (pc, op) in thread.program.iter().enumerate() {
                let field = format!("threads[{t}].program[{pc}]");
                self.check_op(&field, &op.kind, thread.program.len())?;
                if op.line as usize > self.source.len() {
                    return Err(ScenarioError::range(
                        format!("{field}.line"),
                        op.line,
                        &format!("0..={} (lines of source)", self.source.len()),
                    ));
                }
            }
        }
        Ok(())
    }

    fn check_op(&self, field: &str, op: &OpKind, len: usize) -> Result<(), ScenarioError> {
        let queue = |q: usize, allowed: &[QueueKind], what: &str| -> Result<(), ScenarioError> {
            check_index(&format!("{field}.queue"), q, self.queues.len(), "queues")?;
            if !allowed.contains(&self.queues[q].kind) {
                return Err(ScenarioError::invalid(
                    format!("{field}.queue"),
                    format!(
                        "{what} needs a {allowed:?} queue, `{}` is {:?}",
                        self.queues[q].name, self.queues[q].kind
                    ),
                ));
            }
            Ok(())
        };
        let target = |t: usize| {
            check_index(
                &format!("{field}.target"),
                t,
                len + 1,
                "ops (+1 for the end)",
            )
        };
        let count = |c: &Count| match *c {
            Count::Workers(s) => {
                check_index(&format!("{field}.times"), s, self.stages.len(), "stages")
            }
            _ => Ok(()),
        };
        let thread = |t: usize| {
            check_index(&format!("{field}.thread"), t, self.threads.len(), "threads")?;
            if t == 0 {
                return Err(ScenarioError::invalid(
                    format!("{field}.thread"),
                    "the main thread cannot be started or joined",
                ));
            }
            Ok(())
        };
        let stage =
            |s: usize| check_index(&format!("{field}.stage"), s, self.stages.len(), "stages");
        use QueueKind::*;
        match op {
            OpKind::Put { queue: q, .. } => queue(*q, &[Polling, Queue, Closable], "put"),
            OpKind::Get { queue: q } => queue(*q, &[Queue, Closable], "a blocking get"),
            OpKind::PollGet { queue: q, on_empty } => {
                queue(*q, &[Polling], "a polling get")?;
                target(*on_empty)
            }
            OpKind::TaskDone { queue: q } => queue(*q, &[Queue, Closable], "task_done"),
            OpKind::Join { queue: q } => queue(*q, &[Queue, Closable], "join"),
            OpKind::Close { queue: q } => queue(*q, &[Closable], "close"),
            OpKind::IfSentinel { target: t }
            | OpKind::Jump { target: t }
            | OpKind::Loop { target: t } => target(*t),
            OpKind::Work { stage: s }
            | OpKind::StartStage { stage: s }
            | OpKind::JoinStage { stage: s } => stage(*s),
            OpKind::Sleep { us, .. } => {
                if *us > MAX_DURATION_US {
                    return Err(ScenarioError::range(
                        format!("{field}.us"),
                        us,
                        &format!("0..={MAX_DURATION_US}"),
                    ));
                }
                Ok(())
            }
            OpKind::Print { text, args } => {
                check_index(
                    &format!("{field}.text"),
                    *text as usize,
                    self.texts.len(),
                    "texts",
                )?;
                for e in [args.0, args.1].into_iter().flatten() {
                    if let Expr::QSize(q) = e {
                        check_index(&format!("{field}.args"), q, self.queues.len(), "queues")?;
                    }
                }
                Ok(())
            }
            OpKind::Start { thread: t } | OpKind::JoinThread { thread: t } => thread(*t),
            OpKind::Repeat { times, end } => {
                count(times)?;
                target(*end)
            }
            OpKind::BusyWait { queue: q, until } => {
                queue(*q, &[Polling, Queue, Closable], "a busy-wait")?;
                count(until)
            }
            OpKind::End => Ok(()),
        }
    }
}

fn check_index(field: &str, index: usize, len: usize, of: &str) -> Result<(), ScenarioError> {
    if index >= len {
        return Err(ScenarioError::range(
            field,
            index,
            &if len == 0 {
                format!("none: there are no {of}")
            } else {
                format!("0..={} (index into {of})", len - 1)
            },
        ));
    }
    Ok(())
}

pub(crate) fn check_service(field: &str, s: &Service) -> Result<(), ScenarioError> {
    let (lo, hi) = match *s {
        Service::Const { us } => (us, us),
        Service::Uniform { lo_us, hi_us } => (lo_us, hi_us),
        Service::Exp { mean_us } => (mean_us, mean_us),
    };
    if lo > hi {
        return Err(ScenarioError::invalid(
            field,
            "the low end is above the high end",
        ));
    }
    if hi > MAX_DURATION_US {
        return Err(ScenarioError::range(
            field,
            s,
            &format!("0us..={MAX_DURATION_US}us (one day)"),
        ));
    }
    Ok(())
}

/// Why a control (`set_workers`, `set_maxsize`) is refused while a run goes on: the same words
/// from every engine.
pub mod refused {
    pub const STAGE_CLOSING: &str =
        "the stage is shutting down (close() was called on its queue); workers are fixed now";
    pub const NO_WORKERS: &str = "this stage has no worker threads to copy";
    pub const FIXED_SENTINELS: &str =
        "this program puts a fixed number of SENTINELs on the stage's queue, so another worker would never end; use P6 or the pipeline builder, whose stop_threads sends one per worker";
    pub const RUN_ENDED: &str = "the run has ended; reset to change it";
    pub const POLLING_NO_MAXSIZE: &str = "a polling MyQueue (deque) has no maxsize";
}

/// A stage as `set_workers` sees it, in either engine.
#[derive(Clone, Copy, Debug)]
pub struct StageNow {
    /// `close()` was called on its queue (or its SENTINELs are going out).
    pub closing: bool,
    pub has_workers: bool,
    /// More workers could still end (see `Scenario::stage_resizable`).
    pub resizable: bool,
}

/// `set_workers(stage, count)`'s rules, the same for every engine: the stage exists, the count
/// is in `1..=max`, the stage can grow or shrink now, the run goes on. `now` is asked only
/// once the stage exists (an engine may lock the stage to answer).
pub fn check_set_workers<T>(
    stage: usize,
    n_stages: usize,
    count: u32,
    max: u32,
    running: bool,
    now: impl FnOnce() -> (StageNow, T),
) -> Result<T, ScenarioError> {
    if stage >= n_stages {
        return Err(ScenarioError::range(
            "stage",
            stage,
            &format!("0..{n_stages} (stages of this scenario)"),
        ));
    }
    let field = format!("stages[{stage}].workers");
    if !(1..=max).contains(&count) {
        return Err(ScenarioError::range(field, count, &format!("1..={max}")));
    }
    let (st, held) = now();
    let why = if st.closing {
        refused::STAGE_CLOSING
    } else if !st.has_workers {
        refused::NO_WORKERS
    } else if !st.resizable {
        refused::FIXED_SENTINELS
    } else if !running {
        refused::RUN_ENDED
    } else {
        return Ok(held);
    };
    Err(ScenarioError::invalid(field, why))
}

/// `set_maxsize(queue, maxsize)`'s rules, the same for every engine.
pub fn check_set_maxsize(
    queue: usize,
    kinds: &[crate::scenario::QueueKind],
    maxsize: u32,
    running: bool,
) -> Result<(), ScenarioError> {
    let Some(&kind) = kinds.get(queue) else {
        return Err(ScenarioError::range(
            "queue",
            queue,
            &format!("0..{} (queues of this scenario)", kinds.len()),
        ));
    };
    let field = format!("queues[{queue}].maxsize");
    if kind == crate::scenario::QueueKind::Polling {
        return Err(ScenarioError::invalid(field, refused::POLLING_NO_MAXSIZE));
    }
    if maxsize > MAX_MAXSIZE {
        return Err(ScenarioError::range(
            field,
            maxsize,
            &format!("0..={MAX_MAXSIZE} (0 = unbounded)"),
        ));
    }
    if !running {
        return Err(ScenarioError::invalid(field, refused::RUN_ENDED));
    }
    Ok(())
}
