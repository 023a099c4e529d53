//! Random scenarios, mutated from the presets and from builder pipelines, on both engines with a
//! fixed budget: no panic, every run ends (or visibly goes on: never a stretch of twice
//! `LIVELOCK_OPS` operations without progress), and no item is lost or duplicated where the
//! program itself neither drops nor repeats one. The hand-made cases are in
//! tests/run_ends.rs.

use pipeline_lab::live::{Live, LiveOptions};
use pipeline_lab::scenario::{
    presets, Arrival, Count, MemoryBudget, Op, OpKind, PipelineSpec, Rng, Scenario, Service, Value,
};
use pipeline_lab::sim::{Sim, LIVELOCK_OPS};
use pipeline_lab::stats::{place, HangKind, Stats, Status, SENTINEL_ID};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use std::time::Duration;

/// Operations after which a model run that still makes progress is left to go on.
const ALIVE_AFTER_OPS: u64 = 200_000;
/// A model run goes in slices of this many operations.
const SLICE_OPS: u64 = 50_000;
/// Wall time one live run may take before it is stopped (most end far sooner).
const LIVE_PATIENCE: Duration = Duration::from_secs(3);

/// A small builder pipeline: 1-3 stages, 1-4 workers, maxsize 0-5, up to 300 items.
fn builder(rng: &mut Rng) -> PipelineSpec {
    let stages = 1 + rng.below(3) as usize;
    PipelineSpec {
        workers: (0..stages).map(|_| 1 + rng.below(4) as u32).collect(),
        maxsize: (0..stages).map(|_| rng.below(6) as u32).collect(),
        service: (0..stages).map(|_| service(rng)).collect(),
        items: rng.below(300),
        arrival: if rng.below(3) == 0 {
            Arrival::Rate {
                per_s: 1.0 + rng.below(5000) as f64,
            }
        } else {
            Arrival::AllAtOnce
        },
        seed: rng.next_u64(),
        memory_budget_bytes: (rng.below(4) == 0).then(|| 1 + rng.below(200)),
        item_bytes: 1,
    }
}

fn service(rng: &mut Rng) -> Service {
    match rng.below(4) {
        0 => Service::Const { us: 0 },
        1 => Service::Const {
            us: rng.below(5000),
        },
        2 => Service::Exp {
            mean_us: 1 + rng.below(3000),
        },
        _ => {
            let lo = rng.below(1000);
            Service::Uniform {
                lo_us: lo,
                hi_us: lo + rng.below(1000),
            }
        }
    }
}

/// A number that is often at an edge.
fn edgy(rng: &mut Rng, small: u64) -> u64 {
    match rng.below(6) {
        0 => 0,
        1 => 1,
        2 => 1_000_000_000,
        3 => u64::MAX,
        _ => rng.below(small + 1),
    }
}

fn random_op(rng: &mut Rng, s: &Scenario, len: usize) -> OpKind {
    // Indices a little out of range now and then: validation must refuse them.
    let q = rng.below(s.queues.len() as u64 + 1) as usize;
    let st = rng.below(s.stages.len() as u64 + 1) as usize;
    let t = rng.below(s.threads.len() as u64 + 1) as usize;
    let target = rng.below(len as u64 + 2) as usize;
    let count = match rng.below(3) {
        0 => Count::Const(edgy(rng, 5)),
        1 => Count::Items,
        _ => Count::Workers(st),
    };
    let value = [Value::NewItem, Value::Held, Value::Sentinel][rng.below(3) as usize];
    match rng.below(19) {
        0 => OpKind::Put { queue: q, value },
        1 => OpKind::Get { queue: q },
        2 => OpKind::PollGet {
            queue: q,
            on_empty: target,
        },
        3 => OpKind::TaskDone { queue: q },
        4 => OpKind::Join { queue: q },
        5 => OpKind::Close { queue: q },
        6 => OpKind::IfSentinel { target },
        7 => OpKind::Work { stage: st },
        8 => OpKind::Sleep {
            us: edgy(rng, 2000),
            polling: rng.below(2) == 0,
        },
        9 => OpKind::Start { thread: t },
        10 => OpKind::StartStage { stage: st },
        11 => OpKind::JoinThread { thread: t },
        12 => OpKind::JoinStage { stage: st },
        13 => OpKind::Repeat {
            times: count,
            end: target,
        },
        14 => OpKind::Loop { target },
        15 => OpKind::BusyWait {
            queue: q,
            until: count,
        },
        16 => OpKind::Jump { target },
        17 => OpKind::End,
        _ => OpKind::Sleep {
            us: 0,
            polling: true,
        },
    }
}

/// Applies `n` random mutations; true when one of them changed a program (which may then drop
/// or repeat items on purpose).
fn mutate(s: &mut Scenario, rng: &mut Rng, n: usize) -> bool {
    let mut structural = false;
    for _ in 0..n {
        match rng.below(9) {
            0 => s.items = edgy(rng, 500),
            1 => {
                let q = rng.below(s.queues.len() as u64) as usize;
                s.queues[q].maxsize = edgy(rng, 4).min(u32::MAX as u64) as u32;
            }
            2 if !s.stages.is_empty() => {
                let st = rng.below(s.stages.len() as u64) as usize;
                s.stages[st].service = service(rng);
            }
            3 => {
                s.memory = (rng.below(2) == 0).then(|| MemoryBudget {
                    item_bytes: edgy(rng, 8),
                    budget_bytes: edgy(rng, 100),
                })
            }
            4 => {
                // Where items end changes what "done" means: not the original program.
                structural = true;
                s.done_queue =
                    (rng.below(3) != 0).then(|| rng.below(s.queues.len() as u64 + 1) as usize);
            }
            _ => {
                structural = true;
                let t = rng.below(s.threads.len() as u64) as usize;
                let len = s.threads[t].program.len();
                let pc = rng.below(len as u64 + 1) as usize;
                match rng.below(3) {
                    0 if pc < len => {
                        s.threads[t].program.remove(pc);
                    }
                    1 if pc < len => {
                        let op = s.threads[t].program[pc];
                        s.threads[t].program.insert(pc, op);
                    }
                    _ => {
                        let kind = random_op(rng, s, len);
                        let op = Op { line: 0, kind };
                        if pc < len {
                            s.threads[t].program[pc] = op;
                        } else {
                            s.threads[t].program.push(op);
                        }
                    }
                }
            }
        }
    }
    structural
}

/// A random scenario: a preset or a builder pipeline, mutated; whether its programs are the
/// original ones, and whether it is a builder pipeline.
fn random_scenario(seed: u64, mutations: usize) -> (Scenario, bool, bool) {
    let mut rng = Rng::new(seed);
    let ids: Vec<String> = presets().into_iter().map(|p| p.id.to_string()).collect();
    let pick = rng.below(ids.len() as u64 + 5) as usize;
    let (mut s, is_builder) = match ids.get(pick) {
        Some(id) => (pipeline_lab::scenario::preset(id).unwrap(), false),
        None => match builder(&mut rng).build() {
            Ok(s) => (s, true),
            Err(_) => (pipeline_lab::scenario::preset("p6").unwrap(), false),
        },
    };
    let structural = mutate(&mut s, &mut rng, mutations);
    // Through JSON, as a file or a link would bring it.
    let s = Scenario::from_json(&s.to_json()).unwrap_or(s);
    (s, !structural, is_builder)
}

fn queue_books_balance(stats: &Stats, what: &str) {
    for q in &stats.queues {
        assert!(
            q.gets <= q.puts && q.puts - q.gets == q.len,
            "{what}: queue {} put {} got {} holds {}",
            q.name,
            q.puts,
            q.gets,
            q.len
        );
    }
}

/// The model engine, in slices: it never goes twice `LIVELOCK_OPS` operations (and a slice or two)
/// without virtual time or the items moving and not end; one still making progress after
/// `ALIVE_AFTER_OPS` is left to go on.
fn run_model(s: &Scenario, intact: bool, is_builder: bool) {
    let Ok(sim) = Sim::new(s.clone()) else {
        return;
    };
    let mut sim = sim.with_moves();
    let mut moves = Vec::new();
    let mut seen = (sim.now(), sim.items_done(), 0u64);
    let mut progress_at = 0;
    while sim.is_running() && !(progress_at == sim.stats().events && progress_at > ALIVE_AFTER_OPS)
    {
        sim.step_bounded(u64::MAX, SLICE_OPS);
        moves.extend(sim.frame().moves);
        let stats = sim.stats();
        let puts = stats.queues.iter().map(|q| q.puts).sum();
        let now = (sim.now(), sim.items_done(), puts);
        if now != seen {
            seen = now;
            progress_at = stats.events;
        }
        assert!(
            stats.events - progress_at <= 2 * LIVELOCK_OPS + 2 * SLICE_OPS,
            "{}: {} operations without progress",
            s.id,
            stats.events - progress_at
        );
    }
    let stats = sim.stats();
    queue_books_balance(&stats, &s.id);
    if !intact {
        return;
    }
    // Where the program neither drops nor repeats items, each reaches the done queue once.
    if let Some(done) = s.done_queue {
        let mut arrived = std::collections::HashSet::new();
        for m in moves.chunks(3) {
            if m[2] == place::QUEUE | done as u32 && m[0] != SENTINEL_ID {
                assert!(
                    arrived.insert(m[0]),
                    "{}: item {} arrived twice",
                    s.id,
                    m[0]
                );
            }
        }
        if is_builder && stats.status == Status::Finished {
            assert_eq!(arrived.len() as u64, s.items, "{}: items lost", s.id);
        }
    }
    if is_builder && stats.status == Status::Finished {
        assert_eq!(stats.items_done, s.items);
    }
}

/// The live engine on the virtual clock: never an engine failure, and intact builder
/// pipelines that finish have every item done.
fn run_live(s: &Scenario, intact: bool, is_builder: bool) {
    let Ok(run) = Live::new(s.clone(), LiveOptions::default().keeping_done_items()) else {
        return;
    };
    let status = run.wait_for(LIVE_PATIENCE);
    if let Some(h) = run.hang() {
        assert_ne!(h.kind, HangKind::ThreadLost, "{}: {}", s.id, h.message);
    }
    if intact && is_builder && status == Status::Finished {
        assert_eq!(run.items_done(), s.items, "{}", s.id);
        let done = s.done_queue.expect("builder pipelines have one");
        let mut ids = run.queue_item_ids(done);
        ids.retain(|&i| i != u64::MAX);
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "{}: an item arrived twice", s.id);
        assert_eq!(n as u64, s.items, "{}: items lost", s.id);
    }
    drop(run);
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 160,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(55),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_scenarios_end_on_the_model_engine_without_losing_items(
        seed in any::<u64>(),
        mutations in 0usize..6,
    ) {
        let (s, intact, is_builder) = random_scenario(seed, mutations);
        run_model(&s, intact, is_builder);
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(18),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_scenarios_never_fail_inside_the_live_engine(
        seed in any::<u64>(),
        mutations in 0usize..4,
    ) {
        let (s, intact, is_builder) = random_scenario(seed, mutations);
        run_live(&s, intact, is_builder);
    }
}
