//! The pipeline builder that the page's sliders and the command line drive: stages x workers x
//! maxsize x service time -> a P6-shaped scenario, with every value range-checked.

use super::presets::{closable_source, items_processed, stoppable_worker};
use super::validate::check_service;
use super::{
    Count, Expr, MemoryBudget, Op, OpKind, PrintArgs, QueueKind, QueueSpec, Scenario,
    ScenarioError, Service, Sink, StageSpec, Text, ThreadSpec, Value,
};
use crate::limits::{
    MAX_BUILDER_ITEMS, MAX_MAXSIZE, MAX_MEMORY_BUDGET_BYTES, MAX_RATE_PER_S, MAX_STAGES,
    MAX_WORKERS, MIN_RATE_PER_S,
};
use serde::{Deserialize, Serialize};

const STAGE_NAMES: [&str; MAX_STAGES] = [
    "download", "resize", "upload", "compress", "encrypt", "archive",
];

/// How items enter the pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Arrival {
    /// `for _ in range(n): download_queue.put(object())`, as in the note.
    AllAtOnce,
    /// One item every `1 / per_s` seconds.
    Rate { per_s: f64 },
}

/// What the sliders set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PipelineSpec {
    /// Workers a stage, `1..=limits::MAX_WORKERS`; the number of stages (`1..=MAX_STAGES`) is its
    /// length.
    pub workers: Vec<u32>,
    /// `maxsize` of each stage's input queue, `0..=limits::MAX_MAXSIZE` (0 = unbounded).
    pub maxsize: Vec<u32>,
    pub service: Vec<Service>,
    pub items: u64,
    pub arrival: Arrival,
    pub seed: u64,
    /// Memory budget in bytes, with each item `item_bytes` large.
    #[serde(default)]
    pub memory_budget_bytes: Option<u64>,
    #[serde(default = "default_item_bytes")]
    pub item_bytes: u64,
}

/// The builder's whole choice: the sliders' pipeline and what its end does with finished items.
/// The page and its links send this (the `sink` key beside the pipeline's; absent = keep).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BuilderSpec {
    #[serde(flatten)]
    pub pipeline: PipelineSpec,
    #[serde(default)]
    pub sink: Sink,
}

impl BuilderSpec {
    pub fn build(&self) -> Result<Scenario, ScenarioError> {
        self.pipeline.build_with_sink(self.sink)
    }
}

fn default_item_bytes() -> u64 {
    1 << 20
}

impl PipelineSpec {
    /// The tandem of ARCHITECTURE.md: 3 stages, exponential service 1.0/1.5/0.8 ms.
    pub fn tandem(workers: [u32; 3], maxsize: u32, items: u64, seed: u64) -> PipelineSpec {
        PipelineSpec {
            workers: workers.to_vec(),
            maxsize: vec![maxsize; 3],
            service: vec![
                Service::Exp { mean_us: 1000 },
                Service::Exp { mean_us: 1500 },
                Service::Exp { mean_us: 800 },
            ],
            items,
            arrival: Arrival::AllAtOnce,
            seed,
            memory_budget_bytes: None,
            item_bytes: default_item_bytes(),
        }
    }

    pub fn validate(&self) -> Result<(), ScenarioError> {
        let n = self.workers.len();
        if !(1..=MAX_STAGES).contains(&n) {
            return Err(ScenarioError::range(
                "stages",
                n,
                &format!("1..={MAX_STAGES}"),
            ));
        }
        for (i, &w) in self.workers.iter().enumerate() {
            if !(1..=MAX_WORKERS).contains(&w) {
                return Err(ScenarioError::range(
                    format!("workers[{i}]"),
                    w,
                    &format!("1..={MAX_WORKERS}"),
                ));
            }
        }
        if self.maxsize.len() != n {
            return Err(ScenarioError::invalid(
                "maxsize",
                format!(
                    "{} values for {n} stages (give one per stage)",
                    self.maxsize.len()
                ),
            ));
        }
        for (i, &m) in self.maxsize.iter().enumerate() {
            if m > MAX_MAXSIZE {
                return Err(ScenarioError::range(
                    format!("maxsize[{i}]"),
                    m,
                    &format!("0..={MAX_MAXSIZE} (0 = unbounded)"),
                ));
            }
        }
        if self.service.len() != n {
            return Err(ScenarioError::invalid(
                "service",
                format!(
                    "{} values for {n} stages (give one per stage)",
                    self.service.len()
                ),
            ));
        }
        for (i, s) in self.service.iter().enumerate() {
            check_service(&format!("service[{i}]"), s)?;
        }
        if !(1..=MAX_BUILDER_ITEMS).contains(&self.items) {
            return Err(ScenarioError::range(
                "items",
                self.items,
                &format!("1..={MAX_BUILDER_ITEMS}"),
            ));
        }
        if let Arrival::Rate { per_s } = self.arrival {
            if !(per_s.is_finite() && (MIN_RATE_PER_S..=MAX_RATE_PER_S).contains(&per_s)) {
                return Err(ScenarioError::range(
                    "arrival.rate",
                    per_s,
                    &format!("{MIN_RATE_PER_S}..={MAX_RATE_PER_S} items/s"),
                ));
            }
        }
        match self.memory_budget_bytes {
            Some(0) => return Err(ScenarioError::range("memory_budget", 0, "above 0 bytes")),
            Some(b) if b > MAX_MEMORY_BUDGET_BYTES => {
                return Err(ScenarioError::range(
                    "memory_budget",
                    b,
                    &format!("1..={MAX_MEMORY_BUDGET_BYTES} bytes"),
                ))
            }
            _ => {}
        }
        if self.item_bytes == 0 {
            return Err(ScenarioError::range("item_bytes", 0, "above 0 bytes"));
        }
        Ok(())
    }

    /// Builds the scenario: P6's program with these stages, queues and counts, keeping the
    /// finished items in `done_queue` as the note does.
    pub fn build(&self) -> Result<Scenario, ScenarioError> {
        self.build_with_sink(Sink::Keep)
    }

    /// [`PipelineSpec::build`] with the end of the pipeline chosen: keep the finished items in
    /// `done_queue`, or count them and let them go (`CountingSink`).
    pub fn build_with_sink(&self, sink: Sink) -> Result<Scenario, ScenarioError> {
        self.validate()?;
        let n = self.workers.len();
        let names: Vec<&str> = STAGE_NAMES[..n].to_vec();
        let source = self.python(&names, sink);
        let src_lines: Vec<String> = source.lines().map(str::to_string).collect();
        let line = |snippet: &str| -> u32 {
            src_lines
                .iter()
                .position(|l| l.contains(snippet))
                .map_or(0, |i| i as u32 + 1)
        };
        let mut queues: Vec<QueueSpec> = names
            .iter()
            .zip(&self.maxsize)
            .map(|(name, &maxsize)| QueueSpec {
                name: format!("{name}_queue"),
                kind: QueueKind::Closable,
                maxsize,
            })
            .collect();
        queues.push(QueueSpec {
            name: "done_queue".into(),
            kind: QueueKind::Closable,
            maxsize: 0,
        });
        let stages: Vec<StageSpec> = names
            .iter()
            .zip(&self.service)
            .enumerate()
            .map(|(i, (name, &service))| StageSpec {
                name: name.to_string(),
                service,
                input: i,
                output: Some(i + 1),
            })
            .collect();
        let op = |line, kind| Op { line, kind };
        let l_start = line("        thread.start()");
        let mut main: Vec<Op> = (0..n)
            .map(|s| op(l_start, OpKind::StartStage { stage: s }))
            .collect();
        let l_for = line(&format!("for _ in range({}):", self.items));
        let put_at = main.len();
        let interval = match self.arrival {
            Arrival::AllAtOnce => None,
            Arrival::Rate { per_s } => Some((1e6 / per_s).round() as u64),
        };
        let body = if interval.is_some() { 2 } else { 1 };
        main.push(op(
            l_for,
            OpKind::Repeat {
                times: Count::Items,
                end: put_at + 2 + body,
            },
        ));
        main.push(op(
            line(&format!("{}_queue.put(object())", names[0])),
            OpKind::Put {
                queue: 0,
                value: Value::NewItem,
            },
        ));
        if let Some(us) = interval {
            main.push(op(
                line("time.sleep("),
                OpKind::Sleep { us, polling: false },
            ));
        }
        main.push(op(l_for, OpKind::Loop { target: put_at + 1 }));
        let (l_tfor, l_close, l_join, l_tjoin) = (
            line("    for _ in threads:"),
            line("closable_queue.close()"),
            line("closable_queue.join()"),
            line("        thread.join()"),
        );
        for s in 0..n {
            let at = main.len();
            main.push(op(
                l_tfor,
                OpKind::Repeat {
                    times: Count::Workers(s),
                    end: at + 3,
                },
            ));
            main.push(op(l_close, OpKind::Close { queue: s }));
            main.push(op(l_tfor, OpKind::Loop { target: at + 1 }));
            main.push(op(l_join, OpKind::Join { queue: s }));
            main.push(op(l_tjoin, OpKind::JoinStage { stage: s }));
        }
        main.push(op(
            line("print(done_queue.qsize()"),
            OpKind::Print {
                text: 0,
                args: PrintArgs(Some(Expr::QSize(n)), None),
            },
        ));
        main.push(op(0, OpKind::End));
        let mut threads = vec![ThreadSpec {
            name: "main".into(),
            stage: None,
            program: main,
        }];
        for (s, name) in names.iter().enumerate() {
            for k in 1..=self.workers[s] {
                threads.push(ThreadSpec {
                    name: format!("{name}-{k}"),
                    stage: Some(s),
                    program: stoppable_worker(&src_lines, s, s, s + 1),
                });
            }
        }
        let scenario = Scenario {
            id: "builder".into(),
            title: Text::new("Pipeline builder", "파이프라인 빌더"),
            summary: Text::new(
                "Your own pipeline: stages, workers, buffer sizes and service times from the sliders.",
                "슬라이더로 만든 파이프라인: 단계, 작업자, 버퍼 크기, 처리 시간.",
            ),
            source: src_lines,
            texts: vec![items_processed()],
            queues,
            stages,
            threads,
            items: self.items,
            done_queue: Some(n),
            seed: self.seed,
            memory: self.memory_budget_bytes.map(|budget_bytes| MemoryBudget {
                item_bytes: self.item_bytes,
                budget_bytes,
            }),
            sink,
        };
        scenario.validate()?;
        Ok(scenario)
    }

    /// The Python program this pipeline stands for.
    fn python(&self, names: &[&str], sink: Sink) -> String {
        let mut s = String::from(closable_source().trim_matches('\n'));
        s.push_str("\n\n");
        if sink == Sink::Count {
            s.push_str(
                "class CountingSink:\n    \"\"\"Counts finished items and lets them go: it keeps none.\"\"\"\n\n    def __init__(self):\n        self.count = 0\n\n    def put(self, item):\n        self.count += 1\n\n    def qsize(self):\n        return self.count\n\n",
            );
        }
        s.push_str(
            "def start_threads(count, *args):\n    threads = [StoppableWorker(*args) for _ in range(count)]\n    for thread in threads:\n        thread.start()\n    return threads\n\n\
             def stop_threads(closable_queue, threads):\n    for _ in threads:\n        closable_queue.close()\n\n    closable_queue.join()\n\n    for thread in threads:\n        thread.join()\n\n",
        );
        for (i, name) in names.iter().enumerate() {
            let bound = if self.maxsize[i] == 0 {
                String::new()
            } else {
                self.maxsize[i].to_string()
            };
            s.push_str(&format!("{name}_queue = ClosableQueue({bound})\n"));
        }
        s.push_str(match sink {
            Sink::Keep => "done_queue = ClosableQueue()  # keeps every finished item\n\n",
            Sink::Count => "done_queue = CountingSink()  # counts finished items, keeps none\n\n",
        });
        for (i, name) in names.iter().enumerate() {
            let next = names
                .get(i + 1)
                .map_or("done".to_string(), |n| n.to_string());
            s.push_str(&format!(
                "{name}_threads = start_threads(\n    {}, {name}, {name}_queue, {next}_queue)  # {}\n",
                self.workers[i], self.service[i]
            ));
        }
        s.push_str(&format!("\nfor _ in range({}):\n", self.items));
        s.push_str(&format!("    {}_queue.put(object())\n", names[0]));
        if let Arrival::Rate { per_s } = self.arrival {
            s.push_str(&format!("    time.sleep({})  # {per_s}/s\n", 1.0 / per_s));
        }
        s.push('\n');
        for name in names {
            s.push_str(&format!("stop_threads({name}_queue, {name}_threads)\n"));
        }
        s.push_str("\nprint(done_queue.qsize(), 'items processed')\n");
        s
    }
}
