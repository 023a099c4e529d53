//! Every preset on real threads ends as it does on the model engine: same status, same items
//! done, same hang kind; the consoles print what the Python programs can print; the clocks
//! (virtual, stepped, free, wall) keep their promises.

use pipeline_lab::live::{ClockMode, Live, LiveOptions};
use pipeline_lab::scenario::{preset, presets, Lang, PipelineSpec, Service};
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

/// `lines` holds `first` before `then`.
fn before(lines: &[String], first: &str, then: &str) -> bool {
    let at = |s: &str| lines.iter().position(|l| l == s);
    matches!((at(first), at(then)), (Some(a), Some(b)) if a < b)
}

#[test]
fn every_preset_ends_like_the_model_engine() {
    for p in presets() {
        let sim = model(p.id);
        let run = live(p.id, ClockMode::Virtual);
        let status = run.wait_for(PATIENCE);
        let (want, got) = (sim.stats(), run.stats());
        assert_eq!(status, sim.status(), "{}: status", p.id);
        assert_eq!(got.items_done, want.items_done, "{}: items done", p.id);
        assert_eq!(
            got.hang.as_ref().map(|h| h.kind),
            want.hang.as_ref().map(|h| h.kind),
            "{}: hang kind",
            p.id
        );
        assert_eq!(
            got.memory_error.is_some(),
            want.memory_error.is_some(),
            "{}",
            p.id
        );
        assert_eq!(got.threads.len(), want.threads.len(), "{}", p.id);
    }
}

#[test]
fn hang_reports_name_each_waiting_thread_and_what_it_waits_on() {
    let f4 = live("f4", ClockMode::Virtual);
    assert_eq!(f4.wait_for(PATIENCE), Status::Hang);
    let hang = f4.hang().expect("a report");
    assert_eq!(hang.kind, HangKind::Deadlock);
    let on: Vec<(&str, &str)> = hang
        .waiting
        .iter()
        .map(|w| (w.name.as_str(), w.on.as_str()))
        .collect();
    assert_eq!(
        on,
        [
            ("main", "put() on in_queue (full at 2/2)"),
            ("worker", "put() on out_queue (full at 2/2)")
        ]
    );

    let f2 = live("f2", ClockMode::Virtual);
    assert_eq!(f2.wait_for(PATIENCE), Status::Hang);
    let hang = f2.hang().expect("a report");
    assert_eq!(hang.kind, HangKind::JoinNeverReturns);
    assert_eq!(hang.waiting.len(), 1);
    assert!(hang.waiting[0].on.contains("in_queue.join() (1 unfinished"));

    // Which download worker misses its SENTINEL depends on the threads; that one is named.
    let f1 = live("f1", ClockMode::Virtual);
    assert_eq!(f1.wait_for(PATIENCE), Status::Hang);
    let hang = f1.hang().expect("a report");
    assert_eq!(hang.kind, HangKind::WorkerNeverEnds);
    let main = hang
        .waiting
        .iter()
        .find(|w| w.name == "main")
        .expect("main");
    let stuck = main
        .on
        .strip_prefix("join() of thread ")
        .and_then(|s| s.split(',').next())
        .expect("main joins a worker");
    let worker = hang
        .waiting
        .iter()
        .find(|w| w.name == stuck)
        .expect("it waits");
    assert_eq!(worker.state, ThreadState::BlockedGet);
    assert!(worker.on.contains("get() on download_queue"));
    assert!(hang.message.starts_with(&format!("{stuck} never end")));
}

#[test]
fn hang_reports_follow_the_language_of_the_reader() {
    let mut f4 = live("f4", ClockMode::Virtual);
    assert_eq!(f4.wait_for(PATIENCE), Status::Hang);
    f4.set_lang(Lang::Ko);
    let ko = f4.hang().expect("a report");
    let mut sim = model("f4");
    sim.set_lang(Lang::Ko);
    assert_eq!(ko.message, sim.hang().expect("the model hangs too").message);
    assert!(ko.message.starts_with("교착 상태"), "{}", ko.message);
}

/// Real threads may interleave what CPython's GIL happens to serialize. P2: `start()` lets the
/// consumer run until it waits in `get()`, so "consumer waiting" comes first and "producer
/// putting" second; once `put()` wakes the consumer, "producer done" and "consumer done" race.
#[test]
fn p2_prints_the_orders_the_program_allows() {
    for _ in 0..20 {
        let run = live("p2", ClockMode::Virtual);
        assert_eq!(run.wait_for(PATIENCE), Status::Finished);
        let lines = run.console_lines();
        assert_eq!(lines.len(), 4, "{lines:?}");
        assert_eq!(lines[..2], ["consumer waiting", "producer putting"]);
        let mut rest = lines[2..].to_vec();
        rest.sort();
        assert_eq!(rest, ["consumer done", "producer done"]);
    }
}

/// P3: the consumer sleeps 0.1 s (virtual), so "producer 1" (time 0) comes first; the
/// consumer's first `get()` both prints "consumer 1" and frees the slot that lets the producer
/// print "producer 2": those two race, as do the rest of each thread's lines. Each thread's
/// own lines keep their order.
#[test]
fn p3_prints_the_orders_the_program_allows() {
    for _ in 0..20 {
        let run = live("p3", ClockMode::Virtual);
        assert_eq!(run.wait_for(PATIENCE), Status::Finished);
        let lines = run.console_lines();
        assert_eq!(lines.len(), 6, "{lines:?}");
        assert_eq!(lines[0], "producer 1");
        for (a, b) in [
            ("consumer 1", "consumer 2"),
            ("consumer 2", "consumer done"),
            ("producer 2", "producer done"),
        ] {
            assert!(before(&lines, a, b), "{a} before {b}: {lines:?}");
        }
        assert_eq!(run.now(), 100_000);
    }
}

/// P4: "consumer waiting" (start runs the consumer until `get()` waits), then "producer
/// putting"; the put wakes the consumer, so "producer waiting" and "consumer working" race.
/// The work takes 50 ms of virtual time, which passes only once the producer waits in
/// `join()`: "consumer done" comes after "producer waiting", and `join()` returns only after
/// `task_done()`, so "producer done" is last.
#[test]
fn p4_prints_the_orders_the_program_allows() {
    for _ in 0..20 {
        let run = live("p4", ClockMode::Virtual);
        assert_eq!(run.wait_for(PATIENCE), Status::Finished);
        let lines = run.console_lines();
        assert_eq!(lines.len(), 6, "{lines:?}");
        assert_eq!(lines[..2], ["consumer waiting", "producer putting"]);
        let mut middle = lines[2..4].to_vec();
        middle.sort();
        assert_eq!(middle, ["consumer working", "producer waiting"]);
        assert_eq!(lines[4..], ["consumer done", "producer done"]);
    }
}

#[test]
fn p5_and_p6_print_1000_items_processed_and_every_thread_ends() {
    for id in ["p5", "p6"] {
        let mut run = live(id, ClockMode::Virtual);
        assert_eq!(run.wait_for(PATIENCE), Status::Finished, "{id}");
        assert_eq!(run.console_lines(), ["1000 items processed"], "{id}");
        let stats = run.stats();
        assert_eq!(stats.items_done, 1000);
        assert!(stats.threads.iter().all(|t| t.state == ThreadState::Ended));
        assert!(stats
            .queues
            .iter()
            .all(|q| q.unfinished_tasks == 0 || q.name == "done_queue"));
        run.set_lang(Lang::Ko);
        assert_eq!(run.console_lines(), ["1000 개의 원소가 처리됨"]);
    }
}

/// The polled count depends on how the real threads interleave (the model engine's 3006 is
/// the least it can be); every item arrives and the workers, which never end, linger.
#[test]
fn p1_processes_1000_items_and_its_pollers_linger() {
    let run = live("p1", ClockMode::Virtual);
    assert_eq!(run.wait_for(PATIENCE), Status::Finished);
    let stats = run.stats();
    assert_eq!(stats.items_done, 1000);
    assert!(stats.polls >= 3006, "{}", stats.polls);
    assert_eq!(stats.lingering, ["download", "resize", "upload"]);
    let line = &run.console_lines()[0];
    assert!(line.starts_with("1000 items processed, polled "), "{line}");
    // The busy-wait waited (as wasted CPU) at least until the workers' first 10 ms nap ended.
    assert!(stats.threads[0].spinning_us >= 10_000);
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
