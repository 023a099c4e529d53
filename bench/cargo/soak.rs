//! Soak: ten million items through the tandem on both engines, then many small random pipelines
//! on the live engine's threads. It prints what must stay zero (items lost or duplicated, runs
//! that hung) and the peak memory after each part, which must stay flat.
//!
//! `cargo bench --bench soak` (`ITEMS` and `PIPELINES` change the sizes; defaults 10^7 and 10^4).

use pipeline_lab::live::{ClockMode, Live, LiveOptions};
use pipeline_lab::scenario::{Arrival, PipelineSpec, Rng, Service};
use pipeline_lab::sim::Sim;
use pipeline_lab::stats::Status;
use std::time::{Duration, Instant};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The process's peak resident memory in MiB (Linux), or `None`.
fn peak_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb >> 10)
}

/// One line: what went wrong (all zero when nothing did), peak memory and wall time.
fn report(part: &str, lost: u64, duplicated: u64, hung: u64, wall: Duration) {
    let peak = peak_mib().map_or("n/a".to_string(), |m| format!("{m} MiB"));
    println!(
        "{part}: items lost {lost}, duplicated {duplicated}, runs hung {hung}; peak memory {peak}; {:.1} s",
        wall.as_secs_f64()
    );
}

/// Items lost and duplicated, from how many should have arrived and how many did.
fn books(items: u64, done: u64) -> (u64, u64) {
    (items.saturating_sub(done), done.saturating_sub(items))
}

fn main() {
    let items = env("ITEMS", 10_000_000);
    let pipelines = env("PIPELINES", 10_000);
    let tandem = PipelineSpec::tandem([3, 4, 5], 10, items, 1)
        .build()
        .expect("valid tandem");

    let t0 = Instant::now();
    let mut sim = Sim::new(tandem.clone()).expect("valid");
    let status = sim.run_to_end();
    let (lost, duplicated) = books(items, sim.items_done());
    report(
        &format!("model engine, {items} items"),
        lost,
        duplicated,
        u64::from(status != Status::Finished),
        t0.elapsed(),
    );

    let t0 = Instant::now();
    let live = Live::new(tandem, LiveOptions::with_clock(ClockMode::Free)).expect("valid");
    let status = live.wait();
    let (lost, duplicated) = books(items, live.items_done());
    report(
        &format!("live engine (free clock), {items} items"),
        lost,
        duplicated,
        u64::from(status != Status::Finished),
        t0.elapsed(),
    );
    drop(live);

    let t0 = Instant::now();
    let mut rng = Rng::new(18);
    let (mut lost, mut duplicated, mut hung) = (0, 0, 0);
    for _ in 0..pipelines {
        let stages = 1 + rng.below(3) as usize;
        let spec = PipelineSpec {
            workers: (0..stages).map(|_| 1 + rng.below(4) as u32).collect(),
            maxsize: (0..stages).map(|_| rng.below(6) as u32).collect(),
            service: (0..stages)
                .map(|_| Service::Exp {
                    mean_us: 1 + rng.below(50),
                })
                .collect(),
            items: 1 + rng.below(500),
            arrival: Arrival::AllAtOnce,
            seed: rng.next_u64(),
            ..PipelineSpec::tandem([1, 1, 1], 0, 0, 0)
        };
        let scenario = spec.build().expect("valid pipeline");
        let clock = [ClockMode::Virtual, ClockMode::Free][rng.below(2) as usize];
        let run = Live::new(
            scenario,
            LiveOptions::with_clock(clock).keeping_done_items(),
        )
        .expect("valid");
        if run.wait_for(Duration::from_secs(60)) != Status::Finished {
            hung += 1;
            continue;
        }
        let done = run
            .scenario()
            .done_queue
            .expect("builder pipelines have one");
        let mut ids = run.queue_item_ids(done);
        ids.retain(|&i| i != u64::MAX);
        let arrived = ids.len() as u64;
        ids.sort_unstable();
        ids.dedup();
        let distinct = ids.len() as u64;
        lost += spec.items.saturating_sub(distinct);
        duplicated += arrived - distinct;
    }
    report(
        &format!("{pipelines} random live pipelines"),
        lost,
        duplicated,
        hung,
        t0.elapsed(),
    );
}
