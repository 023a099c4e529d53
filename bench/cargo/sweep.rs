//! Sweep benchmark: 40 points x 5 replications x 100,000 items of the tandem (3 stages,
//! exponential service 1.0/1.5/0.8 ms, 3/4/5 workers, `maxsize` 1..40), on one thread and on
//! every core, in alternating pairs; prints wall times and the speed-up (bar: 0.8 x cores).
//!
//! `cargo bench --bench sweep` (`ITEMS`, `POINTS`, `REPS`, `PAIRS` change the sizes).

use pipeline_lab::scenario::PipelineSpec;
use pipeline_lab::sweep::{Param, Sweep};
use std::time::Instant;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Wall seconds of the whole sweep on a pool of `threads`.
fn timed(sweep: &Sweep, threads: usize) -> f64 {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a pool");
    let t0 = Instant::now();
    let result = pool
        .install(|| sweep.run_parallel(|_, _| {}))
        .expect("a valid sweep");
    let wall = t0.elapsed().as_secs_f64();
    assert!(result.points.iter().all(|p| p.failed == 0));
    wall
}

fn main() {
    let (items, points, reps, pairs) = (
        env("ITEMS", 100_000),
        env("POINTS", 40),
        env("REPS", 5) as u32,
        env("PAIRS", 3),
    );
    let sweep = Sweep::new(
        PipelineSpec::tandem([3, 4, 5], 10, items, 1),
        Param::Maxsize { stage: None },
        (1..=points).map(|v| v as f64).collect(),
        reps,
    );
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut ratios = Vec::new();
    for pair in 1..=pairs {
        let one = timed(&sweep, 1);
        let all = timed(&sweep, cores);
        ratios.push(one / all);
        println!(
            "pair {pair}: 1 thread {one:.2} s, {cores} threads {all:.2} s: speed-up {:.2}x",
            one / all
        );
    }
    ratios.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
    let median = ratios[ratios.len() / 2];
    let bar = 0.8 * cores as f64;
    println!(
        "sweep {points} points x {reps} reps x {items} items: median speed-up {median:.2}x on {cores} cores (bar {bar:.1}x: {})",
        if median >= bar { "MET" } else { "MISSED" }
    );
}
