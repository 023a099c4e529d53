//! Live-engine benchmark: raw throughput (free clock) of the builder's 3-stage pipeline, 3/4/5
//! workers, maxsize 1000, no-op stages, against hand-written pipelines of the same shape on
//! crossbeam-channel and on std's `sync_channel` (bounded 1000, SENTINEL shutdown), measured
//! side by side, run by run. Prints results; asserts only that every item arrived.
//!
//! `cargo bench --bench live` (`ITEMS` sets the size, default 1,000,000; `RUNS`, default 5;
//! `ONLY=live|crossbeam|sync_channel` runs one alone, for a profiler).

use pipeline_lab::live::{ClockMode, Live, LiveOptions};
use pipeline_lab::scenario::{Arrival, PipelineSpec, Service};
use pipeline_lab::stats::Status;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Instant;

const WORKERS: [usize; 3] = [3, 4, 5];
const CAPACITY: usize = 1000;
const SENTINEL: u64 = u64::MAX;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The live engine on the builder's pipeline; items per wall second.
fn live(items: u64) -> f64 {
    let scenario = PipelineSpec {
        workers: WORKERS.iter().map(|&w| w as u32).collect(),
        maxsize: vec![CAPACITY as u32; 3],
        service: vec![Service::Const { us: 0 }; 3],
        items,
        arrival: Arrival::AllAtOnce,
        seed: 1,
        memory_budget_bytes: None,
        item_bytes: 1,
    }
    .build()
    .expect("a valid pipeline");
    let t0 = Instant::now();
    let run = Live::new(scenario, LiveOptions::with_clock(ClockMode::Free)).expect("starts");
    let status = run.wait();
    let secs = t0.elapsed().as_secs_f64();
    assert_eq!(status, Status::Finished);
    assert_eq!(run.items_done(), items);
    items as f64 / secs
}

/// Three stages of workers over crossbeam's bounded channels; the done channel is unbounded.
fn crossbeam(items: u64) -> f64 {
    use crossbeam_channel::{bounded, unbounded, Receiver, Sender};
    let t0 = Instant::now();
    let (tx0, rx0) = bounded::<u64>(CAPACITY);
    let (tx1, rx1) = bounded::<u64>(CAPACITY);
    let (tx2, rx2) = bounded::<u64>(CAPACITY);
    let (txd, rxd) = unbounded::<u64>();
    let stage = |n: usize, rx: Receiver<u64>, tx: Sender<u64>| -> Vec<thread::JoinHandle<()>> {
        (0..n)
            .map(|_| {
                let (rx, tx) = (rx.clone(), tx.clone());
                thread::spawn(move || {
                    while let Ok(v) = rx.recv() {
                        if v == SENTINEL {
                            return;
                        }
                        tx.send(v).expect("next stage is open");
                    }
                })
            })
            .collect()
    };
    let stages = [
        (tx0.clone(), stage(WORKERS[0], rx0, tx1.clone())),
        (tx1, stage(WORKERS[1], rx1, tx2.clone())),
        (tx2, stage(WORKERS[2], rx2, txd)),
    ];
    for i in 0..items {
        tx0.send(i).expect("first stage is open");
    }
    for (tx, workers) in stages {
        for _ in &workers {
            tx.send(SENTINEL).expect("stage is open");
        }
        for w in workers {
            w.join().expect("worker ends");
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    assert_eq!(rxd.len() as u64, items);
    items as f64 / secs
}

/// The same over std's `sync_channel`; its receiver is single-consumer, so each stage's
/// workers share it behind a Mutex (the usual way).
fn sync_channel(items: u64) -> f64 {
    type Rx = Arc<Mutex<mpsc::Receiver<u64>>>;
    let t0 = Instant::now();
    let (tx0, rx0) = mpsc::sync_channel::<u64>(CAPACITY);
    let (tx1, rx1) = mpsc::sync_channel::<u64>(CAPACITY);
    let (tx2, rx2) = mpsc::sync_channel::<u64>(CAPACITY);
    let (txd, rxd) = mpsc::channel::<u64>();
    fn stage<S: Fn(u64) + Clone + Send + 'static>(
        n: usize,
        rx: Rx,
        send: S,
    ) -> Vec<thread::JoinHandle<()>> {
        (0..n)
            .map(|_| {
                let (rx, send) = (rx.clone(), send.clone());
                thread::spawn(move || loop {
                    let v = rx.lock().expect("not poisoned").recv();
                    match v {
                        Ok(SENTINEL) | Err(_) => return,
                        Ok(v) => send(v),
                    }
                })
            })
            .collect()
    }
    let next1 = tx1.clone();
    let next2 = tx2.clone();
    let stages = [
        (
            tx0.clone(),
            stage(WORKERS[0], Arc::new(Mutex::new(rx0)), move |v| {
                next1.send(v).expect("open")
            }),
        ),
        (
            tx1,
            stage(WORKERS[1], Arc::new(Mutex::new(rx1)), move |v| {
                next2.send(v).expect("open")
            }),
        ),
        (
            tx2,
            stage(WORKERS[2], Arc::new(Mutex::new(rx2)), move |v| {
                txd.send(v).expect("open")
            }),
        ),
    ];
    for i in 0..items {
        tx0.send(i).expect("first stage is open");
    }
    for (tx, workers) in stages {
        for _ in &workers {
            tx.send(SENTINEL).expect("stage is open");
        }
        for w in workers {
            w.join().expect("worker ends");
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    assert_eq!(rxd.try_iter().count() as u64, items);
    items as f64 / secs
}

fn summary(name: &str, rates: &[f64]) -> f64 {
    let mut sorted = rates.to_vec();
    sorted.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
    let median = sorted[sorted.len() / 2];
    println!(
        "{name:<13} median {:>6.2} M items/s  (min {:.2}, max {:.2})",
        median / 1e6,
        sorted[0] / 1e6,
        sorted[sorted.len() - 1] / 1e6
    );
    median
}

fn main() {
    let items = env("ITEMS", 1_000_000);
    let runs = env("RUNS", 5).max(1);
    println!(
        "3 stages, workers {WORKERS:?}, capacity {CAPACITY}, no-op stages, {items} items, {runs} runs; free clock"
    );
    let only = std::env::var("ONLY").unwrap_or_default();
    if !only.is_empty() {
        let one: fn(u64) -> f64 = match only.as_str() {
            "live" => live,
            "crossbeam" => crossbeam,
            _ => sync_channel,
        };
        let rates: Vec<f64> = (0..runs).map(|_| one(items)).collect();
        summary(&only, &rates);
        return;
    }
    let (mut l, mut c, mut s) = (Vec::new(), Vec::new(), Vec::new());
    for run in 1..=runs {
        let (lr, cr, sr) = (live(items), crossbeam(items), sync_channel(items));
        println!(
            "run {run}: live {:.2} M/s, crossbeam {:.2} M/s, sync_channel {:.2} M/s; live/crossbeam {:.2}, live/sync_channel {:.2}",
            lr / 1e6,
            cr / 1e6,
            sr / 1e6,
            lr / cr,
            lr / sr
        );
        l.push(lr);
        c.push(cr);
        s.push(sr);
    }
    let lm = summary("live", &l);
    let cm = summary("crossbeam", &c);
    let sm = summary("sync_channel", &s);
    let ratios: Vec<f64> = l.iter().zip(&c).map(|(a, b)| a / b).collect();
    let mut sorted = ratios.clone();
    sorted.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
    println!(
        "live/crossbeam: median {:.2} (run by run {}), medians {:.2}; live/sync_channel medians {:.2}; bar: live >= 0.5x crossbeam",
        sorted[sorted.len() / 2],
        ratios
            .iter()
            .map(|r| format!("{r:.2}"))
            .collect::<Vec<_>>()
            .join(", "),
        lm / cm,
        lm / sm
    );
}
