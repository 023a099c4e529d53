//! The figures a student reads hold together: the memory budget's queues add up to its total
//! and to the `MemoryError`, a counting sink keeps a bounded pipeline within its budget, a rate
//! over no time is undefined, and no long run beats the capacity bound beyond its tolerance.

mod common;
use common::*;
use pipeline_lab::engine::Engine;
use pipeline_lab::live::LiveOptions;
use pipeline_lab::python::format_bytes;
use pipeline_lab::scenario::{
    preset, Arrival, BuilderSpec, PipelineSpec, Rng, Scenario, Service, Sink,
};
use pipeline_lab::stats::{Stats, Status};
use std::time::Instant;

const MIB: u64 = 1 << 20;

/// Runs to the end, checking `each` on the stats after every slice: 10 ms of virtual time on
/// the model engine, a wait for the real threads on the live one.
fn run_checking(run: &mut Engine, what: &str, mut each: impl FnMut(&Stats)) -> Stats {
    let start = Instant::now();
    let by_time = run.capabilities().deterministic;
    loop {
        let status = if by_time {
            run.step(10_000)
        } else {
            run.run_slice()
        };
        let stats = run.stats();
        each(&stats);
        if status != Status::Running {
            return stats;
        }
        assert!(start.elapsed() < PATIENCE, "{what} never ended");
    }
}

/// The builder's pipeline of the issue: every queue bounded at 10, 100 items a second, a
/// budget of `budget_mib` MiB at 1 MiB an item.
fn bounded(items: u64, budget_mib: u64, sink: Sink) -> Scenario {
    let mut pipeline = PipelineSpec::tandem([2, 2, 2], 10, items, 7);
    pipeline.service = vec![Service::Exp { mean_us: 5_000 }; 3];
    pipeline.arrival = Arrival::Rate { per_s: 100.0 };
    pipeline.memory_budget_bytes = Some(budget_mib * MIB);
    pipeline.item_bytes = MIB;
    BuilderSpec { pipeline, sink }.build().unwrap()
}

/// Runs to the end checking that the peak of memory never falls and is never below the memory
/// shown; returns the last stats.
fn run_checking_peak(run: &mut Engine, what: &str, mut each: impl FnMut(&Stats)) -> Stats {
    let mut last_peak = 0;
    run_checking(run, what, |s| {
        assert!(
            s.peak_memory_bytes >= s.memory_bytes,
            "{what}: peak {} below now {} at t = {} us",
            s.peak_memory_bytes,
            s.memory_bytes,
            s.virtual_time_us
        );
        assert!(s.peak_memory_bytes >= last_peak, "{what}: the peak fell");
        last_peak = s.peak_memory_bytes;
        each(s);
    })
}

/// The queues' bytes add up to the total shown, at every slice.
fn queues_add_up(s: &Stats, what: &str) {
    let sum: u64 = s.queues.iter().map(|q| q.bytes).sum();
    assert_eq!(
        sum, s.memory_bytes,
        "{what} at t = {} us",
        s.virtual_time_us
    );
    for q in &s.queues {
        assert!(
            q.items <= q.len,
            "{what}: {} has more items than qsize()",
            q.name
        );
    }
}

on_both_engines! {
    /// F3 and the builder that keeps its results: the `MemoryError` names a total that is
    /// exactly the sum of its queues' bytes, and the stats' queues add up to the stats' total.
    fn a_memory_errors_queues_sum_to_its_total(make) {
        for (what, scenario) in [
            ("f3", preset("f3").unwrap()),
            ("builder keeping results", bounded(400, 64, Sink::Keep)),
        ] {
            let mut run = make(scenario);
            let end = run_checking_peak(&mut run, what, |s| queues_add_up(s, what));
            assert_eq!(end.status, Status::MemoryError, "{what}");
            let report = end.memory_error.expect("a report");
            let sum: u64 = report.queues.iter().map(|q| q.bytes).sum();
            assert_eq!(sum, report.bytes, "{what}: {report:?}");
            let items: u64 = report.queues.iter().filter(|q| q.bytes > 0).map(|q| q.items).sum();
            assert_eq!(items, report.items_queued, "{what}");
            assert!(report.bytes > report.budget_bytes, "{what}: {report:?}");
            assert!(
                end.peak_memory_bytes >= report.bytes,
                "{what}: the peak counts the bytes that did not fit"
            );
            assert!(
                report.message.contains(&format!("({})", format_bytes(report.bytes))),
                "{what}: the message names the total: {}",
                report.message
            );
        }
    }

    /// The builder's pipeline with every queue bounded and a sink that counts and lets go: the
    /// queues hold at most 3 x 10 items of 1 MiB, under the 64 MiB budget, whatever the run.
    /// Keeping the results instead grows `done_queue` past the budget: the growth is shown in
    /// `done_queue`'s bytes before the error.
    fn a_bounded_pipeline_with_a_counting_sink_never_reaches_memory_error(make) {
        let mut run = make(bounded(400, 64, Sink::Count));
        let end = run_checking_peak(&mut run, "counting sink", |s| {
            queues_add_up(s, "counting sink");
            assert!(s.memory_bytes <= 30 * MIB, "{} bytes", s.memory_bytes);
            assert_eq!(s.queues[3].bytes, 0, "done_queue keeps nothing");
        });
        assert_eq!(end.status, Status::Finished);
        assert_eq!(end.items_done, 400);
        assert_eq!(end.queues[3].items, 400, "the sink still counts every item");
        assert!(end.peak_memory_bytes <= 30 * MIB, "the peak stays within the queues' bounds");
        assert!(end.peak_memory_bytes >= MIB, "something was queued on the way");

        let mut run = make(bounded(400, 64, Sink::Keep));
        let deterministic = run.capabilities().deterministic;
        let mut done_grew = 0;
        let end = run_checking(&mut run, "keeping sink", |s| {
            if s.status == Status::Running {
                done_grew = done_grew.max(s.queues[3].bytes);
            }
        });
        assert_eq!(end.status, Status::MemoryError);
        // Real threads on a virtual clock may finish between two looks; the model is read
        // every 10 ms.
        if deterministic {
            assert!(done_grew >= 20 * MIB, "done_queue's growth shows before the error");
        }
        // The error's accounting names done_queue as what holds most of the budget.
        let report = end.memory_error.unwrap();
        assert_eq!(report.queue, "done_queue");
        assert!(report.queues[3].bytes > 30 * MIB, "{report:?}");
    }

    /// A rate over no elapsed time is undefined: `None` at t = 0, a number once time passed.
    /// P2's operations take no time, so its whole run ends at t = 0 and its rate stays
    /// undefined (the page says why instead of "0.0 items/s").
    fn throughput_is_undefined_before_any_time_has_passed(make) {
        let mut run = make(preset("p2").unwrap());
        assert_eq!(run.stats().throughput_per_s, None);
        let end = run_checking(&mut run, "p2", |_| {});
        assert_eq!(end.status, Status::Finished);
        assert_eq!((end.virtual_time_us, end.throughput_per_s), (0, None));
        let mut run = make(preset("p6").unwrap());
        assert_eq!(run.stats().throughput_per_s, None);
        let end = run_checking(&mut run, "p6", |_| {});
        assert_eq!(end.status, Status::Finished);
        let rate = end.throughput_per_s.expect("defined after time passed");
        let want = end.items_done as f64 * 1e6 / end.virtual_time_us as f64;
        assert!((rate - want).abs() <= 1e-9 * want, "{rate} vs {want}");
    }
}

/// A sink that counts keeps the scenario honest for both engines: it is in the scenario, it
/// survives JSON, and the Python shown says `CountingSink`.
#[test]
fn the_sink_choice_is_in_the_scenario_and_its_python() {
    let counting = bounded(10, 64, Sink::Count);
    assert_eq!(counting.sink, Sink::Count);
    assert!(!counting.budget_counts_done());
    assert!(counting
        .source
        .iter()
        .any(|l| l.starts_with("done_queue = CountingSink()")));
    let json = serde_json::to_string(&counting).unwrap();
    let back: Scenario = serde_json::from_str(&json).unwrap();
    assert_eq!(back.sink, Sink::Count);
    let keeping = bounded(10, 64, Sink::Keep);
    assert!(keeping.budget_counts_done());
    assert!(keeping
        .source
        .iter()
        .any(|l| l.starts_with("done_queue = ClosableQueue()")));
    // A link or a page without the key keeps the results, as the note's program does.
    let spec: BuilderSpec = serde_json::from_str(
        r#"{"workers":[1],"maxsize":[0],"service":[{"dist":"const","us":1000}],"items":3,"arrival":{"kind":"all_at_once"},"seed":1}"#,
    )
    .unwrap();
    assert_eq!(spec.sink, Sink::Keep);
}

/// The coefficient of variation of a service-time distribution.
fn cv(s: &Service) -> f64 {
    match *s {
        Service::Const { .. } => 0.0,
        Service::Uniform { lo_us, hi_us } => {
            (hi_us - lo_us) as f64 / 12f64.sqrt() / ((lo_us + hi_us) as f64 / 2.0)
        }
        Service::Exp { .. } => 1.0,
    }
}

/// The help's claim: over a long run of n items, done / elapsed exceeds the capacity bound
/// min_i c_i / s_i by no more than its draws ran short, about cv / sqrt(n); five times that is
/// the tolerance, over random tandems of every distribution, arrival and buffer size.
#[test]
fn measured_throughput_never_exceeds_the_capacity_bound_beyond_its_tolerance() {
    let mut rng = Rng::new(14);
    for case in 0..60 {
        let stages = 1 + rng.below(4) as usize;
        let service: Vec<Service> = (0..stages)
            .map(|_| {
                let mean = 200 + rng.below(3_000);
                match rng.below(3) {
                    0 => Service::Const { us: mean },
                    1 => Service::Uniform {
                        lo_us: mean / 2,
                        hi_us: mean + mean / 2,
                    },
                    _ => Service::Exp { mean_us: mean },
                }
            })
            .collect();
        let spec = PipelineSpec {
            workers: (0..stages).map(|_| 1 + rng.below(6) as u32).collect(),
            maxsize: (0..stages).map(|_| rng.below(8) as u32).collect(),
            service: service.clone(),
            items: 2_000 + rng.below(3_000),
            arrival: if rng.below(3) == 0 {
                Arrival::Rate {
                    per_s: 200.0 + rng.below(5_000) as f64,
                }
            } else {
                Arrival::AllAtOnce
            },
            seed: rng.next_u64(),
            memory_budget_bytes: None,
            item_bytes: 1,
        };
        let mut run = Engine::model(spec.build().unwrap()).unwrap();
        assert_eq!(run.run_to_end(), Status::Finished, "case {case}");
        let s = run.stats();
        let bound = s.theoretical_per_s.expect("stages with workers");
        let worst_cv = service.iter().map(cv).fold(0.0, f64::max);
        let tolerance = 5.0 * worst_cv / (s.items_done as f64).sqrt();
        let rate = s.throughput_per_s.unwrap();
        assert!(
            rate <= bound * (1.0 + tolerance),
            "case {case}: {rate:.1} items/s against a bound of {bound:.1} (+{:.1}%): {spec:?}",
            tolerance * 100.0
        );
    }
}
