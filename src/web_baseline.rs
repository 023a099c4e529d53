//! A benchmark baseline, never in the page: the live engine issue's pipeline over
//! crossbeam-channel on the same Web Worker pool, so bench/run.mjs can show what the browser
//! allows a plain channel pipeline, beside what the live engine (Python's semantics) reaches.
//!
//! Built only with `--features baseline` (bench/run.mjs, into pkg/mt-baseline). Mirrors
//! `crossbeam()` in bench/cargo/live.rs: bounded channels between stages, an unbounded done
//! channel, one SENTINEL a worker, stage by stage.

use crossbeam_channel::{bounded, unbounded, Receiver, Sender};
use std::sync::atomic::{AtomicU32, Ordering};
use wasm_bindgen::prelude::*;

const SENTINEL: u64 = u64::MAX;

const IDLE: u32 = 0;
const RUNNING: u32 = 1;
const DONE: u32 = 2;
const LOST: u32 = 3;

static STATE: AtomicU32 = AtomicU32::new(IDLE);

/// Starts one run on the pool and returns at once; poll `baselineState`. `workers` a stage
/// (1 to 32 each, 1 to 6 stages), `capacity` of each bounded channel, `items` put by the driver.
#[wasm_bindgen(js_name = baselineStart)]
pub fn baseline_start(workers: Vec<u32>, capacity: u32, items: u32) -> Result<(), JsError> {
    if workers.is_empty() || workers.len() > 6 || workers.iter().any(|&w| !(1..=32).contains(&w)) {
        return Err(JsError::new("workers: 1 to 6 stages of 1 to 32"));
    }
    let needed = workers.iter().sum::<u32>() as usize + 1;
    let pool = rayon::current_num_threads();
    if pool < needed {
        return Err(JsError::new(&format!(
            "the pool has {pool} threads; this pipeline needs {needed}"
        )));
    }
    if STATE.swap(RUNNING, Ordering::SeqCst) == RUNNING {
        return Err(JsError::new("a baseline run is still going"));
    }
    rayon::spawn(move || {
        let arrived = run(&workers, capacity.max(1) as usize, items as u64);
        let end = if arrived == items as u64 { DONE } else { LOST };
        STATE.store(end, Ordering::SeqCst);
    });
    Ok(())
}

/// "running", "done", or "lost" (items missing: a bug in this baseline).
#[wasm_bindgen(js_name = baselineState)]
pub fn baseline_state() -> String {
    match STATE.load(Ordering::SeqCst) {
        RUNNING => "running",
        DONE => "done",
        LOST => "lost",
        _ => "idle",
    }
    .into()
}

/// The driver: puts the items, then shuts each stage down in turn. Returns the items arrived.
fn run(workers: &[u32], capacity: usize, items: u64) -> u64 {
    let channels: Vec<(Sender<u64>, Receiver<u64>)> =
        workers.iter().map(|_| bounded(capacity)).collect();
    let (done_tx, done_rx) = unbounded::<u64>();
    let mut stages = Vec::new();
    for (s, &n) in workers.iter().enumerate() {
        let rx = channels[s].1.clone();
        let tx = channels.get(s + 1).map_or(done_tx.clone(), |c| c.0.clone());
        let (ended_tx, ended_rx) = unbounded::<()>();
        for _ in 0..n {
            let (rx, tx, ended) = (rx.clone(), tx.clone(), ended_tx.clone());
            rayon::spawn(move || {
                while let Ok(v) = rx.recv() {
                    if v == SENTINEL || tx.send(v).is_err() {
                        break;
                    }
                }
                let _ = ended.send(());
            });
        }
        stages.push((channels[s].0.clone(), n, ended_rx));
    }
    drop(channels);
    for i in 0..items {
        if stages[0].0.send(i).is_err() {
            break;
        }
    }
    for (tx, n, ended) in stages {
        for _ in 0..n {
            let _ = tx.send(SENTINEL);
        }
        for _ in 0..n {
            let _ = ended.recv();
        }
    }
    done_rx.len() as u64
}
