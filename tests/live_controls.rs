//! `set_workers` and `set_maxsize` while the threads run: nothing is lost or done twice, and
//! what the model engine refuses is refused with the same typed error.

use pipeline_lab::live::{ClockMode, Live, LiveOptions};
use pipeline_lab::scenario::{PipelineSpec, Rng, Scenario, Service};
use pipeline_lab::stats::{Status, ThreadState};
use std::time::{Duration, Instant};

const PATIENCE: Duration = Duration::from_secs(60);

fn pipeline(items: u64, maxsize: u32) -> Scenario {
    PipelineSpec::tandem([2, 2, 2], maxsize, items, 7)
        .build()
        .unwrap()
}

/// Every item id `0..items` is in the done queue exactly once.
fn assert_every_item_once(run: &Live, items: u64) {
    let mut ids = run.queue_item_ids(run.scenario().done_queue.unwrap());
    ids.sort_unstable();
    assert_eq!(ids.len() as u64, items, "items in done_queue");
    assert!(
        ids.iter().copied().eq(0..items),
        "an item is missing or twice"
    );
}

/// Steps the clock until `done` items are done: the run cannot finish behind the test's back.
fn step_until(run: &Live, done: u64) {
    let start = Instant::now();
    while run.items_done() < done && run.is_running() {
        assert!(start.elapsed() < PATIENCE, "stuck before {done} items");
        run.step(500);
        std::thread::sleep(Duration::from_micros(100));
    }
    assert!(run.is_running(), "the run ended before {done} items");
}

/// Steps the clock until the run ends.
fn step_to_end(run: &Live) -> Status {
    let start = Instant::now();
    while run.is_running() && start.elapsed() < PATIENCE {
        run.step(5_000);
        std::thread::sleep(Duration::from_micros(100));
    }
    run.status()
}

fn stepped() -> LiveOptions {
    LiveOptions::with_clock(ClockMode::Stepped).keeping_done_items()
}

#[test]
fn set_workers_mid_run_loses_nothing() {
    let items = 3000;
    let run = Live::new(pipeline(items, 5), stepped()).unwrap();
    step_until(&run, 300);
    run.set_workers(1, 8).unwrap();
    step_until(&run, 800);
    run.set_workers(1, 1).unwrap();
    run.set_workers(2, 5).unwrap();
    step_until(&run, 1300);
    // Back up: the workers told to go are kept first, then new ones are made.
    run.set_workers(1, 6).unwrap();
    run.set_workers(0, 1).unwrap();
    step_until(&run, 2000);
    run.set_workers(0, 4).unwrap();
    assert_eq!(step_to_end(&run), Status::Finished);
    assert_eq!(run.console_lines(), ["3000 items processed"]);
    assert_every_item_once(&run, items);
    let stats = run.stats();
    let workers: Vec<u32> = stats.stages.iter().map(|s| s.workers).collect();
    assert_eq!(workers, [4, 6, 5]);
    assert!(stats.threads.len() > 7, "workers were added");
    assert_eq!(
        stats.stages.iter().map(|s| s.completed).sum::<u64>(),
        3 * items
    );
}

#[test]
fn set_maxsize_mid_run_loses_nothing_and_wakes_blocked_putters() {
    let items = 3000;
    let run = Live::new(pipeline(items, 2), stepped()).unwrap();
    step_until(&run, 200);
    run.set_maxsize(0, 50).unwrap();
    run.set_maxsize(1, 1).unwrap();
    step_until(&run, 900);
    run.set_maxsize(1, 0).unwrap();
    run.set_maxsize(2, 3).unwrap();
    step_until(&run, 1600);
    run.set_maxsize(0, 1).unwrap();
    assert_eq!(step_to_end(&run), Status::Finished);
    assert_every_item_once(&run, items);
    let maxsize: Vec<u32> = run.stats().queues.iter().map(|q| q.maxsize).collect();
    assert_eq!(maxsize, [1, 0, 3, 0]);
}

/// Controls thrown at random moments, stepped clock: they race with the threads, and with
/// `stop_threads`, which fixes the worker count (later changes are refused, not lost).
#[test]
fn random_controls_while_stepping_lose_nothing() {
    let mut rng = Rng::new(42);
    for case in 0..6 {
        let items = 400 + rng.below(800);
        let run = Live::new(
            pipeline(items, 1 + rng.below(20) as u32),
            LiveOptions::with_clock(ClockMode::Stepped).keeping_done_items(),
        )
        .unwrap();
        let start = Instant::now();
        while run.is_running() {
            assert!(start.elapsed() < PATIENCE, "case {case} ran too long");
            run.step(200 + rng.below(2000));
            std::thread::yield_now();
            match rng.below(4) {
                0 => {
                    let r = run.set_workers(rng.below(3) as usize, 1 + rng.below(10) as u32);
                    if let Err(e) = r {
                        let why = e.to_string();
                        assert!(
                            why.contains("shutting down") || why.contains("has ended"),
                            "{why}"
                        );
                    }
                }
                1 => {
                    let r = run.set_maxsize(rng.below(3) as usize, rng.below(30) as u32);
                    if let Err(e) = r {
                        assert!(e.to_string().contains("has ended"), "{e}");
                    }
                }
                _ => {}
            }
        }
        assert_eq!(
            run.status(),
            Status::Finished,
            "case {case}: {:?}",
            run.hang().map(|h| h.message)
        );
        assert_every_item_once(&run, items);
    }
}

/// `set_workers` on the last stage just as `stop_threads` counts its workers: the workers it
/// retires (31 of 32) or adds (31 to 1) must never be, all at once, neither counted as running
/// nor findable on a waiter list while the other threads end, or the run reads as hung (main in
/// `join()` on a worker the control has not woken yet, or on SENTINELs put for workers it has
/// not started yet). Each round steps the one item out of the middle stage and throws the
/// control at once; rounds where `stop_threads` counted first just refuse it.
#[test]
fn workers_changed_while_stop_threads_counts_them_never_read_as_a_hang() {
    for round in 0..60u64 {
        let grow = round % 2 == 1;
        let scenario = PipelineSpec {
            workers: vec![1, 1, if grow { 1 } else { 32 }],
            service: vec![
                Service::Const { us: 0 },
                Service::Const { us: 1000 },
                Service::Const { us: 0 },
            ],
            ..PipelineSpec::tandem([1, 1, 1], 0, 1, round)
        }
        .build()
        .unwrap();
        let run = Live::new(scenario, stepped()).unwrap();
        // Main waits in `resize_queue.join()` while the item is being resized.
        let start = Instant::now();
        loop {
            let threads = run.stats().threads;
            let resizing = threads
                .iter()
                .any(|t| t.stage == Some(1) && t.state == ThreadState::Working);
            if resizing && threads[0].state == ThreadState::Joining {
                break;
            }
            assert!(start.elapsed() < PATIENCE, "round {round}: never got there");
            std::thread::yield_now();
        }
        run.step(1000);
        let _ = run.set_workers(2, if grow { 32 } else { 1 });
        assert_eq!(
            step_to_end(&run),
            Status::Finished,
            "round {round}: {:?}",
            run.hang().map(|h| h.message)
        );
        assert_every_item_once(&run, 1);
    }
}

#[test]
fn a_stage_that_starts_above_max_workers_can_go_back_up_to_its_own_count() {
    let scenario = PipelineSpec {
        workers: vec![3, 1],
        maxsize: vec![5; 2],
        service: vec![Service::Exp { mean_us: 1000 }; 2],
        ..PipelineSpec::tandem([1, 1, 1], 5, 1000, 1)
    }
    .build()
    .unwrap();
    let options = LiveOptions {
        max_workers: 2,
        ..stepped()
    };
    let run = Live::new(scenario, options).unwrap();
    assert!(run.set_workers(0, 4).is_err(), "above its own 3 and max 2");
    assert_eq!(run.set_workers(0, 2), Ok(()));
    assert_eq!(run.set_workers(0, 3), Ok(()));
    assert_eq!(run.set_workers(1, 2), Ok(()));
    assert!(run.set_workers(1, 3).is_err(), "above max 2");
    assert_eq!(step_to_end(&run), Status::Finished);
    assert_every_item_once(&run, 1000);
}

#[test]
fn five_thousand_worker_changes_reuse_the_live_engines_retired_threads() {
    let items = 20_000;
    let scenario = PipelineSpec::tandem([1, 1, 1], 4, items, 7)
        .build()
        .unwrap();
    let initial = scenario.threads.len();
    let options = LiveOptions::with_clock(ClockMode::Stepped).keeping_done_items();
    let run = Live::new(scenario, options).unwrap();
    step_until(&run, 10);
    for i in 0..5000 {
        // Before threads were taken back, the 529th raise was refused: no slot left.
        run.set_workers(1, 32)
            .unwrap_or_else(|e| panic!("raise {i}: {e}"));
        run.step(200);
        run.set_workers(1, 1).unwrap();
        run.step(100);
        if i % 50 == 0 {
            // Let those told to go finish their item, as a person dragging a slider would.
            std::thread::sleep(Duration::from_millis(2));
            run.step(5_000);
        }
    }
    let threads = run.stats().threads.len();
    eprintln!("{threads} threads after 5000 changes ({initial} at the start)");
    assert!(
        threads <= initial + 4 * 31,
        "{threads} threads after 5000 changes"
    );
    run.set_workers(1, 8).unwrap();
    assert_eq!(step_to_end(&run), Status::Finished, "{:?}", run.hang());
    assert_every_item_once(&run, items);
    assert!(run.stats().threads.len() <= initial + 4 * 31);
}
