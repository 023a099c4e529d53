//! Reset and drop end every thread, hung runs included, so a fixed pool (the browser's) never
//! leaks one; and a pool too small for a scenario is refused up front, never a silent deadlock.

use pipeline_lab::live::{threads_needed, ClockMode, Live, LiveError, LiveOptions, PoolSpawner};
use pipeline_lab::scenario::preset;
use pipeline_lab::stats::{HangKind, Status};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PATIENCE: Duration = Duration::from_secs(60);

/// Workers `set_workers` may add, kept small so the pool stays small.
fn options() -> LiveOptions {
    LiveOptions {
        max_workers: 6,
        ..LiveOptions::default()
    }
}

/// Waits until every pool thread is idle again (a job returns just after its run says so).
fn all_idle(pool: &PoolSpawner) -> bool {
    let start = Instant::now();
    while pool.idle() < pool.size() {
        if start.elapsed() > PATIENCE {
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    true
}

#[test]
fn two_hundred_resets_of_hung_runs_on_a_fixed_pool_leak_no_thread() {
    let size = ["f1", "f2", "f4", "p6"]
        .iter()
        .map(|id| threads_needed(&preset(id).unwrap(), options().max_workers))
        .max()
        .unwrap();
    let pool = Arc::new(PoolSpawner::new(size));
    let mut hangs = 0;
    for i in 0..200 {
        let id = ["f1", "f2", "f4"][i % 3];
        let mut run = Live::with_spawner(preset(id).unwrap(), pool.clone(), options())
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        // Reset some while they run, most once they hang.
        if i % 4 != 0 {
            assert_eq!(run.wait_for(PATIENCE), Status::Hang, "{id} run {i}");
            hangs += 1;
        }
        run.reset().expect("restarts");
        // The fresh run is under way on the same pool; reset it once more, then drop it.
        run.reset().expect("restarts");
        drop(run);
        assert!(all_idle(&pool), "run {i} ({id}) left a pool thread busy");
    }
    assert!(hangs >= 150);
    let run = Live::with_spawner(preset("p6").unwrap(), pool.clone(), options()).unwrap();
    assert_eq!(run.wait_for(PATIENCE), Status::Finished);
    assert_eq!(run.console_lines(), ["1000 items processed"]);
    drop(run);
    assert!(all_idle(&pool));
}

#[test]
fn reset_runs_the_scenario_again_from_the_start() {
    let mut run = Live::new(preset("f4").unwrap(), LiveOptions::default()).unwrap();
    assert_eq!(run.wait_for(PATIENCE), Status::Hang);
    run.reset().unwrap();
    assert_eq!(run.wait_for(PATIENCE), Status::Hang);
    assert_eq!(run.hang().map(|h| h.kind), Some(HangKind::Deadlock));
    let mut run = Live::new(preset("p5").unwrap(), LiveOptions::default()).unwrap();
    assert_eq!(run.wait_for(PATIENCE), Status::Finished);
    run.reset().unwrap();
    assert_eq!(run.wait_for(PATIENCE), Status::Finished);
    assert_eq!(run.console_lines(), ["1000 items processed"]);
}

#[test]
fn dropping_a_hung_run_ends_all_of_its_threads() {
    let run = Live::new(preset("f1").unwrap(), LiveOptions::default()).unwrap();
    assert_eq!(run.wait_for(PATIENCE), Status::Hang);
    // A hung run's threads are released at once: they hold no pool thread while it is shown.
    let start = Instant::now();
    while run.threads_alive() > 0 && start.elapsed() < PATIENCE {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(run.threads_alive(), 0);
    // A run stopped mid-way (a stepped clock nobody steps) ends its threads on drop.
    let run = Live::new(
        preset("p6").unwrap(),
        LiveOptions::with_clock(ClockMode::Stepped),
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(20));
    assert!(run.threads_alive() > 1);
    drop(run);
}

#[test]
fn try_reset_never_blocks_and_restarts_once_the_threads_are_gone() {
    let mut run = Live::new(preset("f2").unwrap(), LiveOptions::default()).unwrap();
    assert_eq!(run.wait_for(PATIENCE), Status::Hang);
    let start = Instant::now();
    while !run.try_reset().unwrap() {
        assert!(start.elapsed() < PATIENCE);
        std::thread::yield_now();
    }
    assert_eq!(run.wait_for(PATIENCE), Status::Hang);
}

#[test]
fn a_pool_too_small_is_refused_with_a_typed_error() {
    let p6 = preset("p6").unwrap();
    // 13 threads, and set_workers may bring each stage up to 6: 13 + 3 + 2 + 1.
    assert_eq!(threads_needed(&p6, 6), 19);
    let pool = Arc::new(PoolSpawner::new(18));
    match Live::with_spawner(p6.clone(), pool.clone(), options()) {
        Err(LiveError::PoolTooSmall { needed, capacity }) => {
            assert_eq!((needed, capacity), (19, 18));
        }
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a pool of 18 was accepted for 19 threads"),
    }
    let e = Live::with_spawner(p6.clone(), pool.clone(), options())
        .err()
        .unwrap();
    assert!(e.to_string().contains("at least 19 threads"), "{e}");
    // Nothing was started on it.
    assert!(all_idle(&pool));
    // Fewer workers allowed, fewer threads needed.
    let run = Live::with_spawner(
        p6,
        pool.clone(),
        LiveOptions {
            max_workers: 5,
            ..LiveOptions::default()
        },
    )
    .unwrap();
    assert_eq!(run.wait_for(PATIENCE), Status::Finished);
}
