//! What only the live engine promises: its clocks (virtual, stepped, free, wall) keep their
//! promises, and its stats and frames have the model engine's shape. What both engines promise
//! about the presets is in tests/engines.rs.

use pipeline_lab::live::{ClockMode, Live, LiveOptions};
use pipeline_lab::scenario::{preset, PipelineSpec, Service};
use pipeline_lab::sim::Sim;
use pipeline_lab::stats::{HangKind, Status, ThreadState};
use std::time::{Duration, Instant};

/// Long enough for any preset on a busy 2-core machine; a run that takes it has hung for real.
const PATIENCE: Duration = Duration::from_secs(60);

fn live(id: &str, clock: ClockMode) -> Live {
    Live::new(preset(id).expect("preset"), LiveOptions::with_clock(clock)).expect("starts")
}

fn model(id: &str) -> Sim {
    let mut sim = Sim::new(preset(id).expect("preset")).expect("valid");
    sim.run_to_end();
    sim
}

#[test]
fn a_stepped_clock_moves_only_when_stepped() {
    let run = live("p3", ClockMode::Stepped);
    // Zero-time work runs at once; the consumer's 0.1 s sleep waits for the steps.
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(run.status(), Status::Running);
    assert_eq!(run.now(), 0);
    assert_eq!(run.console_lines(), ["producer 1"]);
    run.step(60_000);
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(run.console_lines(), ["producer 1"]);
    run.step(40_000);
    assert_eq!(run.wait_for(PATIENCE), Status::Finished);
    assert_eq!(run.console_lines().len(), 6);
    assert_eq!(run.now(), 100_000);
}

#[test]
fn a_stepped_clock_still_detects_a_hang() {
    let run = live("f2", ClockMode::Stepped);
    let start = Instant::now();
    while run.is_running() && start.elapsed() < PATIENCE {
        run.step(10_000);
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(run.status(), Status::Hang);
    assert_eq!(run.hang().map(|h| h.kind), Some(HangKind::JoinNeverReturns));
}

/// The page steps as fast as it likes while threads start and end their work: a step must never
/// end a wait that the thread has not counted yet (that garbled the run's status word, which
/// read as `MemoryError` for a moment, and a control then lost its wake-up).
#[test]
fn stepping_in_a_tight_loop_never_garbles_the_status() {
    let scenario = PipelineSpec {
        workers: vec![8, 8, 8],
        maxsize: vec![4; 3],
        service: vec![Service::Const { us: 1 }; 3],
        ..PipelineSpec::tandem([1, 1, 1], 4, 3000, 1)
    }
    .build()
    .unwrap();
    let run = Live::new(scenario, LiveOptions::with_clock(ClockMode::Stepped)).unwrap();
    let start = Instant::now();
    let mut seen = Status::Running;
    while seen == Status::Running && start.elapsed() < PATIENCE {
        seen = run.step(1);
    }
    assert_eq!(
        seen,
        Status::Finished,
        "the first status other than running"
    );
    assert_eq!(run.status(), Status::Finished);
    assert_eq!(run.items_done(), 3000);
}

#[test]
fn a_free_clock_skips_durations() {
    let run = live("p6", ClockMode::Free);
    assert_eq!(run.wait_for(PATIENCE), Status::Finished);
    assert_eq!(run.console_lines(), ["1000 items processed"]);
    // The stage functions take 5-30 ms each on the model; skipped, a thousand items take far
    // less than one of them would.
    assert!(run.stats().threads.iter().all(|t| t.busy_us == 0));
}

#[test]
fn a_wall_clock_sleeps_for_real() {
    let start = Instant::now();
    let run = live("p4", ClockMode::Wall);
    assert_eq!(run.wait_for(PATIENCE), Status::Finished);
    assert!(start.elapsed() >= Duration::from_millis(50));
    assert_eq!(
        run.console_lines().last().map(String::as_str),
        Some("producer done")
    );
}

#[test]
fn stats_and_frames_have_the_model_engines_shape() {
    let run = live("p6", ClockMode::Virtual);
    assert_eq!(run.wait_for(PATIENCE), Status::Finished);
    let (got, want) = (run.stats(), model("p6").stats());
    assert_eq!(got.queues.len(), want.queues.len());
    assert_eq!(got.stages.len(), want.stages.len());
    for (g, w) in got.stages.iter().zip(&want.stages) {
        assert_eq!(
            (g.workers, g.completed),
            (w.workers, w.completed),
            "{}",
            g.name
        );
    }
    assert_eq!(got.queues[3].len, 1000);
    let frame = run.frame();
    assert_eq!(frame.thread_state.len(), 13);
    assert_eq!(frame.thread_line.len(), 13);
    let model_frame = model("p6").frame();
    assert_eq!(frame.queue_start.len(), 5);
    assert_eq!(frame.queue_len, model_frame.queue_len);
    assert_eq!(frame.queue_maxsize, model_frame.queue_maxsize);
    // done_queue is a sink, as in the model engine: counted, its items not kept.
    assert_eq!(frame.queue_len[3], 1000);
    assert_eq!(frame.queue_items.len(), 0);
    assert!(frame
        .thread_state
        .iter()
        .all(|&s| s == ThreadState::Ended as u8));
}
