//! Properties of the model engine over many random pipelines: nothing lost or duplicated,
//! bounds respected, replays identical, changes made while running lose nothing, and the
//! engine's fast path for worker loops changes nothing the interpreter would do.

use pipeline_lab::scenario::{preset, presets, Arrival, PipelineSpec, Rng, Scenario, Service};
use pipeline_lab::sim::Sim;
use pipeline_lab::stats::{place, Stats, Status, NO_ITEM, SENTINEL_ID};

/// A random builder pipeline: 1-6 stages, 1-32 workers, maxsize 0-12, mixed distributions.
fn random_spec(rng: &mut Rng, max_items: u64) -> PipelineSpec {
    let stages = 1 + rng.below(6) as usize;
    let service = |rng: &mut Rng| match rng.below(4) {
        0 => Service::Const {
            us: rng.below(3000),
        },
        1 => {
            let lo = rng.below(2000);
            Service::Uniform {
                lo_us: lo,
                hi_us: lo + rng.below(3000),
            }
        }
        2 => Service::Exp {
            mean_us: 1 + rng.below(3000),
        },
        _ => Service::Const { us: 0 },
    };
    PipelineSpec {
        workers: (0..stages).map(|_| 1 + rng.below(32) as u32).collect(),
        maxsize: (0..stages).map(|_| rng.below(13) as u32).collect(),
        service: (0..stages).map(|_| service(rng)).collect(),
        items: 1 + rng.below(max_items),
        arrival: if rng.below(3) == 0 {
            Arrival::Rate {
                per_s: 100.0 + rng.below(5000) as f64,
            }
        } else {
            Arrival::AllAtOnce
        },
        seed: rng.next_u64(),
        memory_budget_bytes: None,
        item_bytes: 1,
    }
}

/// Every id 0..items was put on the done queue exactly once (read from the recorded moves:
/// the done queue itself keeps only a count), and no thread still holds an item.
fn assert_all_items_done_once(sim: &mut Sim, items: u64, what: &str) {
    let frame = sim.frame();
    let done = frame.queue_len.len() - 1;
    assert_eq!(frame.queue_len[done] as u64, items, "{what}: items lost");
    let mut seen = vec![false; items as usize];
    for m in frame.moves.chunks(3) {
        if m[2] == place::QUEUE | done as u32 {
            let id = m[0];
            assert!(
                id != SENTINEL_ID,
                "{what}: a SENTINEL reached the done queue"
            );
            assert!(!seen[id as usize], "{what}: item {id} arrived twice");
            seen[id as usize] = true;
        }
    }
    assert!(seen.iter().all(|&s| s), "{what}: an item never arrived");
    assert!(
        frame.thread_item.iter().all(|&i| i == NO_ITEM),
        "{what}: a thread still holds an item"
    );
}

#[test]
fn every_item_reaches_the_end_exactly_once_and_queues_respect_maxsize() {
    let mut rng = Rng::new(2024);
    for case in 0..300 {
        let spec = random_spec(&mut rng, 400);
        let mut sim = Sim::new(spec.build().unwrap()).unwrap().with_moves();
        assert_eq!(sim.run_to_end(), Status::Finished, "case {case}: {spec:?}");
        let stats = sim.stats();
        assert_eq!(stats.items_done, spec.items, "case {case}");
        assert_eq!(stats.console, [format!("{} items processed", spec.items)]);
        for (q, max) in stats.queues.iter().zip(&spec.maxsize) {
            assert!(
                *max == 0 || q.max_len <= *max as u64,
                "case {case}: {} over maxsize",
                q.name
            );
            assert_eq!(q.unfinished_tasks, 0, "case {case}: {}", q.name);
        }
        assert_all_items_done_once(&mut sim, spec.items, &format!("case {case}"));
    }
}

#[test]
fn same_seed_gives_an_identical_event_trace() {
    let mut rng = Rng::new(7);
    for case in 0..40 {
        let spec = random_spec(&mut rng, 300);
        let scenario = spec.build().unwrap();
        let mut a = Sim::new(scenario.clone()).unwrap().with_trace();
        let mut b = Sim::new(scenario).unwrap().with_trace();
        a.run_to_end();
        // The second run is driven in uneven steps: chunking must not change the order.
        let mut dt = 1;
        while b.step(dt) == Status::Running {
            dt = dt * 3 % 7919 + 1;
        }
        assert!(!a.trace().is_empty());
        assert_eq!(a.trace(), b.trace(), "case {case}");
        assert_eq!(a.stats(), b.stats(), "case {case}");
    }
}

#[test]
fn a_different_seed_gives_a_different_run() {
    let spec = PipelineSpec::tandem([3, 4, 5], 10, 2000, 1);
    let mut a = Sim::new(spec.build().unwrap()).unwrap();
    let mut b = Sim::new(PipelineSpec { seed: 2, ..spec }.build().unwrap()).unwrap();
    a.run_to_end();
    b.run_to_end();
    assert_ne!(a.now(), b.now());
}

#[test]
fn changing_workers_and_maxsize_while_running_loses_nothing() {
    let mut rng = Rng::new(99);
    for case in 0..150 {
        let mut spec = random_spec(&mut rng, 2000);
        spec.arrival = Arrival::Rate { per_s: 2000.0 };
        let stages = spec.workers.len();
        let mut sim = Sim::new(spec.build().unwrap()).unwrap().with_moves();
        while sim.step(1 + rng.below(20_000)) == Status::Running {
            let s = rng.below(stages as u64) as usize;
            // Refusals (a stage already shutting down) are fine; anything else is a bug.
            if rng.below(2) == 0 {
                if let Err(e) = sim.set_workers(s, 1 + rng.below(32) as u32) {
                    assert!(e.to_string().contains("shutting down"), "case {case}: {e}");
                }
            } else {
                sim.set_maxsize(s, rng.below(20) as u32).unwrap();
            }
        }
        assert_eq!(
            sim.status(),
            Status::Finished,
            "case {case}: {:?}",
            sim.hang()
        );
        assert_eq!(sim.items_done(), spec.items, "case {case}");
        assert_all_items_done_once(&mut sim, spec.items, &format!("case {case}"));
    }
}

#[test]
fn more_workers_on_the_bottleneck_raise_throughput_and_maxsize_one_lowers_it() {
    let run = |workers: [u32; 3], maxsize: u32| {
        let mut sim = Sim::new(
            PipelineSpec::tandem(workers, maxsize, 20_000, 3)
                .build()
                .unwrap(),
        )
        .unwrap();
        sim.run_to_end();
        sim.stats()
    };
    let base = run([3, 4, 5], 10);
    assert_eq!(
        base.bottleneck,
        Some(1),
        "resize (4 x 1.5 ms) is the slowest stage"
    );
    let more = run([3, 8, 5], 10);
    let tight = run([3, 4, 5], 1);
    let rate = |s: &Stats| s.throughput_per_s.expect("time has passed");
    assert!(rate(&more) > rate(&base) * 1.05);
    assert!(rate(&tight) < rate(&base));
    // Never above what the slowest stage allows.
    assert!(rate(&base) <= base.theoretical_per_s.unwrap() * 1.02);
}

#[test]
fn littles_law_holds_per_stage() {
    let mut sim = Sim::new(
        PipelineSpec::tandem([3, 4, 5], 10, 50_000, 5)
            .build()
            .unwrap(),
    )
    .unwrap();
    sim.run_to_end();
    for s in sim.stats().stages {
        let lw = s.little_lambda_per_s * s.little_w_us / 1e6;
        assert!(
            (s.little_l - lw).abs() / lw < 0.01,
            "{}: L {} vs lambda W {}",
            s.name,
            s.little_l,
            lw
        );
    }
}

#[test]
fn seeking_back_replays_to_the_same_frame_with_the_same_changes() {
    let spec = PipelineSpec::tandem([2, 2, 2], 5, 3000, 11);
    let mut sim = Sim::new(spec.build().unwrap()).unwrap();
    sim.step(200_000);
    sim.set_workers(1, 6).unwrap();
    sim.step(300_000);
    sim.set_maxsize(0, 1).unwrap();
    sim.step(250_000);
    let at = sim.now();
    let want = (sim.frame(), sim.stats());
    sim.seek(100_000);
    assert_eq!(sim.now(), 100_000);
    sim.seek(at);
    assert_eq!((sim.frame(), sim.stats()), want);
    // Forward past the end is the same as running on.
    let mut other = Sim::new(spec.build().unwrap()).unwrap();
    other.seek(at);
    assert_ne!(
        other.stats().stages[1].workers,
        6,
        "without the change the run differs"
    );
}

#[test]
fn a_traced_run_seeking_back_traces_every_instruction_again() {
    let spec = PipelineSpec::tandem([2, 3, 1], 4, 2000, 5);
    let mut sim = Sim::new(spec.build().unwrap()).unwrap().with_trace();
    sim.step(400_000);
    sim.seek(150_000);
    let mut fresh = Sim::new(spec.build().unwrap()).unwrap().with_trace();
    fresh.step(150_000);
    assert!(!fresh.trace().is_empty());
    assert_eq!(
        sim.trace(),
        fresh.trace(),
        "the replay ran loops without recording them"
    );
}

#[test]
fn step_event_advances_to_each_event_in_turn() {
    let mut sim = Sim::new(pipeline_lab::scenario::preset("p3").unwrap()).unwrap();
    let mut times = vec![];
    loop {
        let status = sim.step_event();
        times.push(sim.now());
        if status != Status::Running {
            break;
        }
    }
    times.dedup();
    assert_eq!(times, [0, 100_000]);
    assert_eq!(sim.status(), Status::Finished);
}

#[test]
fn a_bounded_step_never_runs_past_its_budget() {
    let spec = PipelineSpec {
        maxsize: vec![0, 0, 0],
        ..PipelineSpec::tandem([1, 1, 1], 0, 100_000, 1)
    };
    let mut sim = Sim::new(spec.build().unwrap()).unwrap();
    sim.step_bounded(1_000_000_000, 10_000);
    let events = sim.stats().events;
    assert!(events <= 10_001, "{events}");
    assert_eq!(sim.now(), 0, "main is still putting items at time 0");
    assert_eq!(sim.run_to_end(), Status::Finished);
}

#[test]
fn no_stage_is_marked_the_bottleneck_before_any_has_worked() {
    let sim = Sim::new(preset("p6").unwrap()).unwrap();
    assert_eq!(sim.stats().bottleneck, None);
    let mut sim = Sim::new(preset("p6").unwrap()).unwrap();
    sim.run_to_end();
    assert!(sim.stats().bottleneck.is_some());
}

/// Both engines, one with the fast path and one without, built from the same scenario.
fn pair(scenario: &Scenario) -> (Sim, Sim) {
    let fast = Sim::new(scenario.clone()).unwrap().with_moves();
    let slow = Sim::new(scenario.clone())
        .unwrap()
        .with_moves()
        .without_fast_path();
    (fast, slow)
}

fn assert_same(fast: &mut Sim, slow: &mut Sim, what: &str) {
    assert_eq!(fast.status(), slow.status(), "{what}: status");
    assert_eq!(fast.now(), slow.now(), "{what}: time");
    assert_eq!(fast.frame(), slow.frame(), "{what}: frame");
    assert_eq!(fast.stats(), slow.stats(), "{what}: stats");
    assert_eq!(fast.hang(), slow.hang(), "{what}: hang report");
    assert_eq!(fast.ops(), slow.ops(), "{what}: operations");
    assert_eq!(fast.last_op(), slow.last_op(), "{what}: the last operation");
}

#[test]
fn the_fast_path_runs_every_preset_exactly_as_the_interpreter() {
    for info in presets() {
        let (mut fast, mut slow) = pair(&preset(info.id).unwrap());
        fast.run_to_end();
        slow.run_to_end();
        assert_same(&mut fast, &mut slow, info.id);
    }
}

#[test]
fn the_fast_path_steps_random_pipelines_exactly_as_the_interpreter() {
    let mut rng = Rng::new(7);
    for case in 0..250 {
        let mut spec = random_spec(&mut rng, 3000);
        // Sometimes a memory budget small enough to run out in the middle of a loop.
        if rng.below(4) == 0 {
            spec.memory_budget_bytes = Some(1 + rng.below(200));
        }
        let (mut fast, mut slow) = pair(&spec.build().unwrap());
        let stages = spec.workers.len() as u64;
        let mut step = 0;
        while fast.status() == Status::Running && step < 400 {
            step += 1;
            let what = format!("case {case} step {step}: {spec:?}");
            // Time steps, steps cut short by an operation budget, and single events.
            let dt = 1 + rng.below(5000);
            let (a, b) = match rng.below(6) {
                0 => {
                    let ops = 1 + rng.below(40);
                    (fast.step_bounded(dt, ops), slow.step_bounded(dt, ops))
                }
                1 => (fast.step_event(), slow.step_event()),
                // By operation: one, or to an operation count (back by replay), in pieces.
                2 => (fast.step_op(), slow.step_op()),
                3 => {
                    let to = fast.ops().saturating_sub(50) + rng.below(100);
                    let piece = 1 + rng.below(300);
                    while !fast.seek_ops(to, piece) {}
                    while !slow.seek_ops(to, piece) {}
                    (fast.status(), slow.status())
                }
                _ => (fast.step(dt), slow.step(dt)),
            };
            assert_eq!(a, b, "{what}");
            // Changes while running: more or fewer workers (retiring some), other maxsizes.
            if rng.below(8) == 0 {
                let s = rng.below(stages) as usize;
                if rng.below(2) == 0 {
                    let n = 1 + rng.below(12) as u32;
                    assert_eq!(
                        fast.set_workers(s, n).is_ok(),
                        slow.set_workers(s, n).is_ok(),
                        "{what}"
                    );
                } else {
                    let m = rng.below(20) as u32;
                    assert_eq!(
                        fast.set_maxsize(s, m).is_ok(),
                        slow.set_maxsize(s, m).is_ok(),
                        "{what}"
                    );
                }
            }
            assert_same(&mut fast, &mut slow, &what);
        }
        fast.run_to_end();
        slow.run_to_end();
        assert_same(&mut fast, &mut slow, &format!("case {case} at the end"));
    }
}
