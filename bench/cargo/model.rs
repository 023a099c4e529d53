//! Model-engine benchmark: items simulated per wall second on the tandem (ARCHITECTURE.md: 3 stages,
//! exponential service 1.0/1.5/0.8 ms, buffer 10, saturated source), 1,1,1 and 3,4,5 workers.
//!
//! `cargo bench --bench model` (set `ITEMS` to change the size; `RUNS` for repetitions); its
//! last line prices stats and frames after 5,000 worker changes.
//!
//! With arguments it measures one configuration, for `bench/run.mjs`, which interleaves its
//! runs with SimPy's, Ciw's and the browser's:
//!
//! ```text
//! cargo bench --bench model -- --workers 3,4,5 --buffer 10 --items 1000000 [--runs 1]
//!     [--min-seconds 0] [--seed 1] [--service exp:1ms,exp:1.5ms,exp:0.8ms]
//!     [--engine model|live] [--json]
//! ```
//!
//! `--min-seconds S` makes each run repeat the same simulation until S wall seconds have
//! passed and report the mean rate over all of it: one simulation of a million items takes a
//! fifth of a second, which samples this shared machine's speed at one instant, while the
//! SimPy run it is divided by lasts twenty seconds.
//!
//! `--engine live` runs the same pipeline on the live engine (real threads, free clock), timed
//! from thread start to the last join as `bench/python/item55_queue.py` times Python's; with
//! `--service none` the stages do nothing (Item 55's P5/P6 shapes with no-op stages).
//! `--buffer` (alias `--maxsize`) is every stage queue's maxsize, 0 meaning unbounded.
//! `--json` prints one JSON line per run; without it, one summary line.

use clap::Parser;
use pipeline_lab::cli::{one_line, EngineArgs, PipelineArgs, PipelineDefaults};
use pipeline_lab::engine::{Engine, EngineKind};
use pipeline_lab::live::{ClockMode, LiveOptions};
use pipeline_lab::scenario::PipelineSpec;
use pipeline_lab::sim::Sim;
use pipeline_lab::stats::Status;
use std::time::Instant;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One configuration, from the command line: the pipeline and engine flags are the command
/// line's own (src/cli.rs), plus how to repeat and report.
#[derive(Parser)]
#[command(name = "model bench")]
struct Args {
    #[command(flatten)]
    pipeline: PipelineArgs,
    #[command(flatten)]
    engine: EngineArgs,
    /// Runs of the configuration.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    runs: u64,
    /// Each run repeats the simulation until this much wall time has passed.
    #[arg(long, default_value_t = 0.0)]
    min_seconds: f64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// One JSON line per run.
    #[arg(long)]
    json: bool,
    /// cargo bench passes --bench to every bench binary.
    #[arg(long, hide = true)]
    bench: bool,
}

/// One configuration, checked.
struct Options {
    engine: EngineKind,
    clock: ClockMode,
    spec: PipelineSpec,
    runs: u64,
    min_seconds: f64,
    json: bool,
}

/// What one run measured.
struct Run {
    wall_s: f64,
    items_done: u64,
    sim_throughput_per_s: f64,
    /// Operations the model engine executed (the threads' get/put/work/task_done...).
    events: Option<u64>,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let a = Args::try_parse_from(
        std::iter::once("model bench".to_string()).chain(args.iter().cloned()),
    )
    .map_err(|e| one_line(&e))?;
    if !(a.min_seconds.is_finite() && a.min_seconds >= 0.0) {
        return Err(format!(
            "--min-seconds: `{}` is not a number of seconds",
            a.min_seconds
        ));
    }
    let mut pipeline = a.pipeline.clone();
    if pipeline.workers.is_none() {
        pipeline.workers = Some(vec![1, 1, 1]);
    }
    // `--service none`: stages that do nothing (Item 55's P5/P6 shapes with no-op stages).
    let none = pipeline.service.as_deref() == Some(&["none".to_string()][..]);
    if none {
        pipeline.service = Some(vec!["const:0us".into()]);
    }
    let tandem = PipelineSpec::tandem([1, 1, 1], 10, 1, 1).service;
    let defaults = PipelineDefaults {
        maxsize: 10,
        service: tandem[0],
        items: 1_000_000,
    };
    let mut spec = pipeline.spec(&defaults, a.seed)?;
    if a.pipeline.service.is_none() && spec.workers.len() == tandem.len() {
        // The tandem's own service times, stage by stage.
        spec.service = tandem;
    }
    let engine = a.engine.kind();
    if engine == EngineKind::Live {
        // As bench/cargo/live.rs: one byte an item (memory is only counted; no budget is set).
        spec.item_bytes = 1;
    }
    // The live engine is measured on the free clock unless told otherwise.
    let clock = match a.engine.clock {
        None => ClockMode::Free,
        Some(_) => a.engine.clock()?,
    };
    Ok(Options {
        engine,
        clock,
        spec,
        runs: a.runs,
        min_seconds: a.min_seconds,
        json: a.json,
    })
}

fn run_once(o: &Options) -> Run {
    let scenario = o.spec.build().expect("a valid pipeline");
    let t0 = Instant::now();
    let mut run = match o.engine {
        EngineKind::Model => Engine::model(scenario),
        EngineKind::Live => Engine::live(scenario, LiveOptions::with_clock(o.clock)),
    }
    .expect("the run starts");
    let status = run.run_to_end();
    let wall_s = t0.elapsed().as_secs_f64();
    assert_eq!(status, Status::Finished);
    let stats = run.stats();
    // Virtual throughput and operation counts mean something only where time is simulated.
    let simulated = run.capabilities().deterministic;
    Run {
        wall_s,
        items_done: stats.items_done,
        sim_throughput_per_s: match stats.throughput_per_s {
            Some(rate) if simulated => rate,
            _ => f64::NAN,
        },
        events: simulated.then_some(stats.events),
    }
}

fn one_configuration(o: &Options) {
    if let Err(e) = o.spec.validate() {
        eprintln!("model bench: {e}");
        std::process::exit(2);
    }
    let engine = match o.engine {
        EngineKind::Model => "model",
        EngineKind::Live => "live",
    };
    let items = o.spec.items;
    let mut rates = Vec::new();
    for run in 1..=o.runs {
        // The same simulation again (same seed, same result) until `min_seconds` have passed.
        let (mut r, mut total_s, mut repeats) = (run_once(o), 0.0, 1u64);
        loop {
            assert_eq!(r.items_done, items, "every item done");
            total_s += r.wall_s;
            if total_s >= o.min_seconds {
                break;
            }
            r = run_once(o);
            repeats += 1;
        }
        let wall_s = total_s / repeats as f64;
        let rate = items as f64 / wall_s;
        rates.push(rate);
        if o.json {
            let mut line = serde_json::json!({
                "tool": engine,
                "engine": engine,
                "workers": o.spec.workers,
                "buffer": o.spec.maxsize[0],
                "service": o.spec.service.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                "items": items,
                "seed": o.spec.seed,
                "run": run,
                "repeats": repeats,
                "wall_s": wall_s,
                "items_per_wall_s": rate,
            });
            if r.sim_throughput_per_s.is_finite() {
                line["sim_throughput_per_s"] = r.sim_throughput_per_s.into();
            }
            if let Some(events) = r.events {
                line["events"] = events.into();
            }
            println!("{line}");
        }
    }
    if !o.json {
        rates.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
        println!(
            "{engine} workers={:?} buffer={} items={}: median {:.0} items/wall-s (min {:.0}, max {:.0}) over {} runs",
            o.spec.workers,
            o.spec.maxsize[0],
            items,
            rates[rates.len() / 2],
            rates[0],
            rates[rates.len() - 1],
            rates.len()
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if !args.is_empty() {
        match parse_args(&args) {
            Ok(o) => one_configuration(&o),
            Err(e) => {
                eprintln!("model bench: {e}");
                std::process::exit(2);
            }
        }
        return;
    }
    let items = env("ITEMS", 1_000_000);
    let runs = env("RUNS", 5);
    for workers in [[1, 1, 1], [3, 4, 5]] {
        for buffer in [10, 1] {
            let scenario = PipelineSpec::tandem(workers, buffer, items, 1)
                .build()
                .expect("valid tandem");
            let mut rates = Vec::new();
            let mut sim_rate = 0.0;
            for _ in 0..runs {
                let mut sim = Sim::new(scenario.clone()).expect("valid");
                let t0 = Instant::now();
                let status = sim.run_to_end();
                let wall = t0.elapsed().as_secs_f64();
                assert_eq!(status, Status::Finished);
                let stats = sim.stats();
                assert_eq!(stats.items_done, items);
                sim_rate = stats.throughput_per_s.unwrap_or(f64::NAN);
                rates.push(items as f64 / wall);
            }
            rates.sort_by(|a, b| a.partial_cmp(b).unwrap());
            println!(
                "tandem workers={workers:?} buffer={buffer} items={items}: median {:.0} items/wall-s (min {:.0}, max {:.0}); simulated throughput {:.1} items/virtual-s",
                rates[rates.len() / 2],
                rates[0],
                rates[rates.len() - 1],
                sim_rate
            );
        }
    }
    after_worker_changes();
}

/// What the page pays each frame (stats and frame) after 5,000 up/down sweeps of a workers
/// slider, against after the first: the same, as retired workers' slots are reused.
fn after_worker_changes() {
    let scenario = PipelineSpec::tandem([1, 1, 1], 10, 1_000_000, 1)
        .build()
        .expect("valid tandem");
    let mut sim = Sim::new(scenario).expect("valid").with_moves();
    sim.step(10_000);
    let per_frame_us = |sim: &mut Sim| {
        let t0 = Instant::now();
        for _ in 0..100 {
            std::hint::black_box(sim.stats());
            std::hint::black_box(sim.frame());
        }
        t0.elapsed().as_secs_f64() * 1e6 / 100.0
    };
    let sweep = |sim: &mut Sim| {
        sim.set_workers(1, 32).expect("resizable");
        sim.step(100);
        sim.set_workers(1, 1).expect("resizable");
        sim.step(100);
    };
    sweep(&mut sim);
    let (first, threads) = (per_frame_us(&mut sim), sim.stats().threads.len());
    for _ in 1..5000 {
        sweep(&mut sim);
    }
    let after = per_frame_us(&mut sim);
    println!(
        "stats + frame after 5000 worker sweeps (1 -> 32 -> 1): {after:.1} us a frame, {} threads (after the first: {first:.1} us, {threads} threads)",
        sim.stats().threads.len()
    );
}
