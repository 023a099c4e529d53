//! Every run ends with a report, on both engines: livelocks within a bound that does not grow
//! with the items, loops that sleep forever at the one-year horizon, unbounded growth in
//! `MemoryError` under the default budget; and no call a page makes does unbounded work.

use pipeline_lab::live::{ClockMode, Live, LiveOptions};
use pipeline_lab::scenario::{preset, MemoryBudget, PipelineSpec, Scenario};
use pipeline_lab::sim::{Progress, Sim, HORIZON_US, LIVELOCK_OPS, MAX_CONSOLE_LINES};
use pipeline_lab::stats::{HangKind, Status};
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(60);

/// A scenario of one queue (`kind`), one zero-time stage and the given threads (JSON).
fn with_threads(kind: &str, items: u64, threads: &str) -> Scenario {
    Scenario::from_json(&format!(
        r#"{{"id":"x","title":{{"en":"t","ko":"t"}},"items":{items},
            "queues":[{{"name":"q","kind":"{kind}"}}],
            "stages":[{{"name":"s","input":0,"service":{{"dist":"const","us":0}}}}],
            "threads":[{threads}]}}"#
    ))
    .expect("a valid scenario")
}

/// [`with_threads`] with only a main thread running `program` (ops as JSON).
fn program(kind: &str, items: u64, program: &str) -> Scenario {
    with_threads(
        kind,
        items,
        &format!(r#"{{"name":"main","program":[{program}]}}"#),
    )
}

/// The issue's four livelocks: a jump to itself, a `sleep 0` loop, a zero-time work loop and a
/// poller that never sleeps; each in a scenario of a billion items.
fn livelocks() -> Vec<(&'static str, Scenario)> {
    let n = 1_000_000_000;
    vec![
        ("jump", program("queue", n, r#"{"op":"jump","target":0}"#)),
        (
            "sleep 0",
            program(
                "queue",
                n,
                r#"{"op":"sleep","us":0},{"op":"jump","target":0}"#,
            ),
        ),
        (
            "zero-time work",
            program(
                "queue",
                n,
                r#"{"op":"work","stage":0},{"op":"jump","target":0}"#,
            ),
        ),
        (
            "poller without sleep",
            program("polling", n, r#"{"op":"poll_get","queue":0,"on_empty":0}"#),
        ),
    ]
}

fn sleeps_forever(us: u64) -> Scenario {
    program(
        "queue",
        0,
        &format!(r#"{{"op":"sleep","us":{us}}},{{"op":"jump","target":0}}"#),
    )
}

#[test]
fn a_livelock_ends_both_engines_with_the_same_report_whatever_the_item_count() {
    let mut live = Vec::new();
    let mut model_messages = Vec::new();
    for (name, scenario) in livelocks() {
        let mut sim = Sim::new(scenario.clone()).unwrap();
        assert_eq!(sim.run_to_end(), Status::Hang, "{name}");
        let hang = sim.hang().unwrap();
        assert_eq!(hang.kind, HangKind::Livelock, "{name}");
        assert!(
            sim.stats().events <= 2 * LIVELOCK_OPS,
            "{name}: {} operations before the report",
            sim.stats().events
        );
        model_messages.push(hang.message);
        for clock in [ClockMode::Virtual, ClockMode::Free] {
            let run = Live::new(scenario.clone(), LiveOptions::with_clock(clock)).unwrap();
            live.push((name, clock, model_messages.len() - 1, run));
        }
    }
    for (name, clock, m, run) in live {
        assert_eq!(run.wait_for(PATIENCE), Status::Hang, "{name} on {clock:?}");
        let hang = run.hang().unwrap();
        assert_eq!(hang.kind, HangKind::Livelock, "{name} on {clock:?}");
        assert_eq!(hang.message, model_messages[m], "{name} on {clock:?}");
        assert_eq!(run.stats().status, Status::Hang);
    }
}

/// Main starts a poller (`poll_get`, else `sleep 1 us` as a poller naps) on a deque, then runs
/// `main` (ops as JSON, after the start; the poller is thread 1).
fn with_a_poller(main: &str, stage_us: u64) -> Scenario {
    Scenario::from_json(&format!(
        r#"{{"id":"x","title":{{"en":"t","ko":"t"}},"items":2,
            "queues":[{{"name":"deque","kind":"polling"}},{{"name":"never_fed","kind":"queue"}}],
            "stages":[{{"name":"s","input":1,"service":{{"dist":"const","us":{stage_us}}}}}],
            "threads":[{{"name":"main","program":[{{"op":"start","thread":1}},{main}]}},
              {{"name":"poller","program":[{{"op":"poll_get","queue":0,"on_empty":2}},{{"op":"jump","target":0}},
                {{"op":"sleep","us":1,"polling":true}},{{"op":"jump","target":0}}]}}]}}"#
    ))
    .expect("a valid scenario")
}

/// Runs `scenario` on the live engine's stepped clock, stepping as a page does, to its end.
fn stepped_to_end(scenario: Scenario) -> Live {
    let run = Live::new(scenario, LiveOptions::with_clock(ClockMode::Stepped)).unwrap();
    let start = std::time::Instant::now();
    while run.step(20_000) == Status::Running {
        assert!(start.elapsed() < PATIENCE, "the stepped run never ended");
        std::thread::sleep(Duration::from_micros(200));
    }
    run
}

#[test]
fn a_poller_that_no_thread_will_feed_stalls_on_both_engines_in_the_same_words() {
    for main in [
        // Main waits for the poller, which never ends.
        r#"{"op":"join_thread","thread":1}"#,
        // Main waits on a queue that no thread puts to.
        r#"{"op":"get","queue":1}"#,
    ] {
        let scenario = with_a_poller(main, 0);
        let mut sim = Sim::new(scenario.clone()).unwrap();
        assert_eq!(sim.run_to_end(), Status::Hang, "{main}");
        let hang = sim.hang().unwrap();
        assert_eq!(hang.kind, HangKind::Stall, "{main}");
        assert!(
            hang.message.starts_with(
                "Stall: poller keeps polling, but no thread is left that could give it"
            ),
            "{}",
            hang.message
        );
        assert!(hang
            .message
            .contains("poller waits on nothing: it keeps polling"));
        // Promptly: within three windows of operations, not at the one-year horizon.
        assert!(sim.stats().events <= 3 * LIVELOCK_OPS + 3);
        assert!(sim.now() < 60_000_000, "{} us", sim.now());

        let virtual_clock = Live::new(scenario.clone(), LiveOptions::default()).unwrap();
        assert_eq!(virtual_clock.wait_for(PATIENCE), Status::Hang, "{main}");
        let stepped = stepped_to_end(scenario);
        for run in [virtual_clock, stepped] {
            let live = run.hang().unwrap();
            assert_eq!(live.kind, HangKind::Stall, "{main}");
            assert_eq!(live.message, hang.message);
        }
    }
}

#[test]
fn a_poller_waiting_on_a_slow_producer_is_no_stall_on_either_engine() {
    // Three seconds of sleep, then three of work, before each item: millions of empty polls.
    // Main then waits 100 ms (several of the stepped clock's steps) so the poller takes both.
    let scenario = with_a_poller(
        r#"{"op":"sleep","us":3000000},{"op":"put","queue":0,"value":"new_item"},
           {"op":"work","stage":0},{"op":"put","queue":0,"value":"new_item"},
           {"op":"sleep","us":100000}"#,
        3_000_000,
    );
    let mut sim = Sim::new(scenario.clone()).unwrap();
    assert_eq!(sim.run_to_end(), Status::Finished, "{:?}", sim.hang());
    assert_eq!(sim.items_done(), 2);
    assert!(
        sim.stats().events > 2 * LIVELOCK_OPS,
        "the test must outlast two windows"
    );
    let run = Live::new(scenario.clone(), LiveOptions::default()).unwrap();
    assert_eq!(run.wait_for(PATIENCE), Status::Finished, "{:?}", run.hang());
    assert_eq!(run.items_done(), 2);
    // The stepped clock's windows are of time (over 4 s): this run outlasts one.
    let run = stepped_to_end(scenario);
    assert_eq!(run.status(), Status::Finished, "{:?}", run.hang());
    assert_eq!(run.items_done(), 2);
}

#[test]
fn a_program_that_sleeps_forever_ends_at_the_horizon_on_both_engines() {
    let day = 86_400_000_000;
    let mut sim = Sim::new(sleeps_forever(day)).unwrap();
    assert_eq!(sim.run_to_end(), Status::Hang);
    assert_eq!(sim.hang().unwrap().kind, HangKind::Horizon);
    assert!(sim.now() <= HORIZON_US);

    // Huge steps never wrap the clock (nor panic in a debug build).
    let mut sim = Sim::new(sleeps_forever(day)).unwrap();
    let mut before = 0;
    for _ in 0..2000 {
        sim.step(u64::MAX / 3);
        assert!(sim.now() >= before && sim.now() <= HORIZON_US);
        before = sim.now();
    }
    assert_eq!(sim.hang().map(|h| h.kind), Some(HangKind::Horizon));

    let run = Live::new(sleeps_forever(day), LiveOptions::default()).unwrap();
    assert_eq!(run.wait_for(PATIENCE), Status::Hang);
    assert_eq!(run.hang().unwrap().kind, HangKind::Horizon);
    assert_eq!(run.hang().unwrap().message, sim.hang().unwrap().message);

    let run = Live::new(
        sleeps_forever(day),
        LiveOptions::with_clock(ClockMode::Stepped),
    )
    .unwrap();
    let mut steps = 0;
    while run.step(u64::MAX / 3) == Status::Running {
        steps += 1;
        assert!(run.now() <= HORIZON_US);
        assert!(steps < 1_000_000, "the stepped run never ended");
        std::thread::yield_now();
    }
    assert_eq!(run.wait_for(PATIENCE), Status::Hang);
    assert_eq!(run.hang().unwrap().kind, HangKind::Horizon);
}

/// Main puts a billion new items into a queue that no thread reads.
fn grows_without_bound(queue_is_done: bool) -> Scenario {
    let mut s = program(
        "queue",
        1_000_000_000,
        r#"{"op":"repeat","times":"items","end":3},{"op":"put","queue":0,"value":"new_item"},{"op":"loop","target":1}"#,
    );
    if queue_is_done {
        s.done_queue = Some(0);
    }
    s
}

#[test]
fn unbounded_growth_ends_in_memory_error_under_the_default_budget_on_both_engines() {
    let most = MemoryBudget::DEFAULT.items();
    let mut sim = Sim::new(grows_without_bound(false)).unwrap();
    assert_eq!(sim.run_to_end(), Status::MemoryError);
    let report = sim.stats().memory_error.unwrap();
    assert_eq!(report.items_queued, most + 1);
    assert_eq!(report.budget_bytes, MemoryBudget::DEFAULT.budget_bytes);
    // Stats show only a scenario's own budget.
    assert_eq!(sim.stats().memory_budget_bytes, None);

    let run = Live::new(grows_without_bound(false), LiveOptions::default()).unwrap();
    assert_eq!(run.wait_for(PATIENCE), Status::MemoryError);
    let report = run.stats().memory_error.unwrap();
    assert!(report.items_queued > most && report.items_queued < most + 1000);

    // The command line's default: a 10M-item pipeline, all at once into unbounded queues.
    let cli = PipelineSpec::tandem([3, 4, 5], 0, 10_000_000, 1)
        .build()
        .unwrap();
    let mut sim = Sim::new(cli).unwrap();
    assert_eq!(sim.run_to_end(), Status::MemoryError);
    assert!(sim.stats().memory_error.unwrap().items_queued <= most + 1);

    // A scenario's own budget is kept.
    let f3 = preset("f3").unwrap();
    let own = f3.memory.clone().unwrap();
    let mut sim = Sim::new(f3).unwrap();
    assert_eq!(sim.run_to_end(), Status::MemoryError);
    assert_eq!(
        sim.stats().memory_error.unwrap().budget_bytes,
        own.budget_bytes
    );
}

#[test]
fn items_that_reach_a_done_queue_are_not_held_against_the_default_budget() {
    let mut s = grows_without_bound(true);
    s.items = 3_000_000;
    let mut sim = Sim::new(s.clone()).unwrap();
    assert_eq!(sim.run_to_end(), Status::Finished);
    assert_eq!(sim.items_done(), 3_000_000);
    let run = Live::new(s, LiveOptions::default()).unwrap();
    assert_eq!(run.wait_for(PATIENCE), Status::Finished);
    assert_eq!(run.items_done(), 3_000_000);
}

/// Main puts items into a queue of 10 and then spins; a worker takes them and works zero
/// time: everything happens at time 0.
fn zero_time_pipeline(items: u64) -> Scenario {
    let mut s = with_threads(
        "queue",
        items,
        r#"{"name":"main","program":[{"op":"start","thread":1},{"op":"repeat","times":"items","end":4},{"op":"put","queue":0,"value":"new_item"},{"op":"loop","target":2},{"op":"jump","target":4}]},
           {"name":"worker","stage":0,"program":[{"op":"get","queue":0},{"op":"work","stage":0},{"op":"task_done","queue":0},{"op":"jump","target":0}]}"#,
    );
    s.queues[0].maxsize = 10;
    s
}

#[test]
fn bounded_calls_stop_after_their_operations_and_go_on_when_called_again() {
    // seek(1e308) on a loop of 1 us sleeps: each call does its share, and no more.
    let mut sim = Sim::new(sleeps_forever(1)).unwrap();
    for _ in 0..5 {
        let before = sim.stats().events;
        assert_eq!(sim.seek_bounded(u64::MAX, 10_000), Progress::NotYet);
        assert!(sim.stats().events - before <= 10_001);
    }

    // step_event on a billion items that all pass at time 0 (main ends in a livelock).
    let mut sim = Sim::new(zero_time_pipeline(1_000_000_000)).unwrap();
    let before = sim.stats().events;
    assert_eq!(sim.step_event_bounded(10_000), Progress::NotYet);
    assert!(sim.stats().events - before <= 10_001);
    assert_eq!(sim.now(), 0);

    // A backward seek replays in slices and lands where an unbounded seek does.
    let target = 400_000;
    let mut reference = Sim::new(preset("p6").unwrap()).unwrap();
    reference.seek(target);
    let mut sim = Sim::new(preset("p6").unwrap()).unwrap();
    sim.run_to_end();
    let mut calls = 0;
    while sim.seek_bounded(target, 500) == Progress::NotYet {
        calls += 1;
        assert!(sim.now() <= target);
        assert!(calls < 100_000);
    }
    assert!(calls > 1, "the replay took {calls} calls");
    assert_eq!(
        serde_json::to_string(&sim.stats()).unwrap(),
        serde_json::to_string(&reference.stats()).unwrap()
    );
}

#[test]
fn five_thousand_worker_changes_keep_the_model_engines_thread_table_bounded() {
    let scenario = PipelineSpec::tandem([1, 1, 1], 4, 100_000, 7)
        .build()
        .unwrap();
    let initial = scenario.threads.len();
    let mut sim = Sim::new(scenario).unwrap();
    sim.step(10_000);
    let mut first = 0;
    for i in 0..5000 {
        sim.set_workers(1, 32).unwrap();
        if i % 2 == 0 {
            // Some of them run (and retire by ending), some are told to go before they do.
            sim.step(200);
        }
        sim.set_workers(1, 1).unwrap();
        sim.step(100);
        if i == 0 {
            first = serde_json::to_string(&sim.stats()).unwrap().len();
        }
    }
    let stats = sim.stats();
    assert!(
        stats.threads.len() <= initial + 31,
        "{} threads",
        stats.threads.len()
    );
    let size = serde_json::to_string(&stats).unwrap().len();
    assert!(size < 2 * first, "stats grew from {first} to {size} bytes");
    assert_eq!(sim.run_to_end(), Status::Finished);
    assert_eq!(sim.items_done(), 100_000);
}

#[test]
fn a_program_that_prints_in_an_endless_loop_keeps_a_bounded_console_on_both_engines() {
    let s = Scenario::from_json(
        r#"{"id":"x","title":{"en":"t","ko":"t"},"texts":[{"en":"tick","ko":"tick"}],
            "queues":[{"name":"q","kind":"queue"}],
            "threads":[{"name":"main","program":[{"op":"print","text":0,"args":[null,null]},{"op":"sleep","us":1},{"op":"jump","target":0}]}]}"#,
    )
    .unwrap();
    let full = MAX_CONSOLE_LINES + 1;
    let mut sim = Sim::new(s.clone()).unwrap();
    for _ in 0..100 {
        sim.step_bounded(u64::MAX, 100_000);
    }
    let lines = sim.console_lines();
    assert_eq!(lines.len(), full);
    assert_eq!(lines[0], "tick");
    assert!(
        lines[full - 1].contains("the rest is not shown"),
        "{}",
        lines[full - 1]
    );

    let run = Live::new(s, LiveOptions::default()).unwrap();
    let start = std::time::Instant::now();
    while run.console_lines().len() < full {
        assert!(start.elapsed() < PATIENCE, "the live console never filled");
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(50));
    let live_lines = run.console_lines();
    assert_eq!(live_lines.len(), full);
    assert_eq!(live_lines[full - 1], lines[full - 1]);
    run.stop();
}

/// `while True: time.sleep(0.000001)` in a thread main joins: no poll, nothing to give, time
/// moving for ever. Both engines end it as a stall, promptly, in the same words.
#[test]
fn a_thread_that_only_sleeps_for_ever_stalls_on_both_engines_in_the_same_words() {
    let scenario = Scenario::from_json(
        r#"{"id":"x","title":{"en":"t","ko":"t"},"items":0,
            "queues":[{"name":"q","kind":"queue"}],
            "threads":[{"name":"main","program":[{"op":"start","thread":1},{"op":"join_thread","thread":1}]},
              {"name":"sleeper","program":[{"op":"sleep","us":1},{"op":"jump","target":0}]}]}"#,
    )
    .expect("a valid scenario");
    let mut sim = Sim::new(scenario.clone()).unwrap();
    assert_eq!(sim.run_to_end(), Status::Hang);
    let hang = sim.hang().unwrap();
    assert_eq!(hang.kind, HangKind::Stall);
    assert!(
        hang.message
            .starts_with("Stall: sleeper keeps sleeping, but no thread is left that could make"),
        "{}",
        hang.message
    );
    assert!(sim.stats().events <= 3 * LIVELOCK_OPS + 3);
    assert!(sim.now() < 60_000_000, "{} us", sim.now());
    let virtual_clock = Live::new(scenario.clone(), LiveOptions::default()).unwrap();
    assert_eq!(virtual_clock.wait_for(PATIENCE), Status::Hang);
    let live = virtual_clock.hang().unwrap();
    assert_eq!(live.kind, HangKind::Stall);
    assert_eq!(live.message, hang.message);
}

/// Only a program that does nothing but sleep is an idler: P3's consumer sleeps, then gets.
#[test]
fn a_program_that_sleeps_then_gets_is_no_idler() {
    assert!(!pipeline_lab::python::idles(
        &preset("p3").unwrap().threads[1].program
    ));
}
