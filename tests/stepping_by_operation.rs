//! The lesson's clock: stepping the model engine one operation (one Python line) at a time,
//! back by replay, and controls made between two operations of one instant replayed there.

use pipeline_lab::scenario::{preset, presets, PipelineSpec};
use pipeline_lab::sim::{LastOp, Sim};
use pipeline_lab::stats::{Frame, Stats, Status, ThreadState};

/// What a viewer sees: the frame (without the moves, which depend on how it got there), the
/// stats (console included) and the line that just ran.
fn snapshot(sim: &mut Sim) -> (Frame, Stats, Option<LastOp>) {
    let mut frame = sim.frame();
    frame.moves.clear();
    (frame, sim.stats(), sim.last_op())
}

#[test]
fn stepping_forward_then_back_by_operation_lands_on_the_same_frames_for_every_preset() {
    for info in presets() {
        let mut sim = Sim::new(preset(info.id).unwrap()).unwrap();
        // Start a little way in, at an operation count (not a time), as the page's Step does.
        sim.seek_ops(2, u64::MAX);
        let mut seen = vec![snapshot(&mut sim)];
        for _ in 0..60 {
            let before = sim.ops();
            if sim.step_op() != Status::Running && sim.ops() == before {
                break;
            }
            assert_eq!(
                sim.ops(),
                before + 1,
                "{}: one step, one operation",
                info.id
            );
            seen.push(snapshot(&mut sim));
        }
        assert!(seen.len() > 5, "{}: too few steps to test", info.id);
        // Back one operation at a time (the last step may only have settled the status: a
        // hang found once nothing is left to run).
        seen.pop();
        while let Some(want) = seen.pop() {
            assert!(sim.seek_ops(sim.ops() - 1, u64::MAX));
            assert_eq!(snapshot(&mut sim), want, "{} at {} ops", info.id, sim.ops());
        }
    }
}

/// Steps `id` by operation to its end; returns the console after each step and the operation
/// that ran at each step.
fn step_through(id: &str) -> (Vec<Vec<String>>, Vec<LastOp>) {
    let mut sim = Sim::new(preset(id).unwrap()).unwrap();
    let (mut consoles, mut lines) = (vec![], vec![]);
    while sim.is_running() {
        let before = sim.ops();
        sim.step_op();
        if sim.ops() == before {
            break;
        }
        consoles.push(sim.console_lines());
        lines.push(sim.last_op().expect("an operation ran"));
    }
    assert_eq!(sim.status(), Status::Finished, "{id}");
    (consoles, lines)
}

/// Each step prints at most one line, and only a step that ran a `print(...)` line prints.
fn assert_one_line_at_a_time(id: &str, note: &[&str]) {
    let source = preset(id).unwrap().source;
    let (consoles, lines) = step_through(id);
    let mut shown = 0;
    for (step, (console, op)) in consoles.iter().zip(&lines).enumerate() {
        // A thread's end marks the line it ended on, which does not run again.
        let code = match op.line.checked_sub(1) {
            Some(l) if !op.ended => source[l as usize].trim(),
            _ => "",
        };
        if console.len() > shown {
            assert_eq!(
                console.len(),
                shown + 1,
                "{id} step {step}: two lines at once"
            );
            assert!(
                code.starts_with("print("),
                "{id} step {step}: `{code}` printed"
            );
            shown += 1;
        } else {
            assert!(
                !code.starts_with("print("),
                "{id} step {step}: `{code}` printed nothing"
            );
        }
    }
    assert_eq!(consoles.last().unwrap(), note, "{id}: the note's order");
}

#[test]
fn stepping_p2_p3_p4_shows_each_console_line_on_its_own_in_the_notes_order() {
    assert_one_line_at_a_time(
        "p2",
        &[
            "consumer waiting",
            "producer putting",
            "producer done",
            "consumer done",
        ],
    );
    assert_one_line_at_a_time(
        "p3",
        &[
            "producer 1",
            "consumer 1",
            "producer 2",
            "producer done",
            "consumer 2",
            "consumer done",
        ],
    );
    assert_one_line_at_a_time(
        "p4",
        &[
            "consumer waiting",
            "producer putting",
            "producer waiting",
            "consumer working",
            "consumer done",
            "producer done",
        ],
    );
}

#[test]
fn p2_runs_its_whole_program_at_time_zero_one_operation_after_another() {
    let mut sim = Sim::new(preset("p2").unwrap()).unwrap();
    assert_eq!(sim.last_op(), None);
    sim.step_op();
    // main's first line starts the consumer.
    let source = preset("p2").unwrap().source;
    let LastOp { thread, line, .. } = sim.last_op().unwrap();
    assert_eq!(thread, 0);
    assert!(source[line as usize - 1].contains("thread.start()"));
    let mut steps = 1;
    while sim.is_running() {
        sim.step_op();
        steps += 1;
    }
    assert_eq!(sim.now(), 0);
    assert!(steps > 8, "{steps} steps: P2 has more lines than that");
}

#[test]
fn a_control_made_between_two_operations_of_one_instant_replays_between_them() {
    let spec = PipelineSpec::tandem([2, 2, 2], 3, 400, 4);
    let mut sim = Sim::new(spec.build().unwrap()).unwrap();
    // Into the first instant (main puts its items at time 0), then a change mid-instant.
    for _ in 0..5 {
        sim.step_op();
    }
    assert!(sim.instant_pending(), "more operations remain at time 0");
    sim.set_maxsize(0, 1).unwrap();
    sim.step(30_000);
    sim.set_workers(1, 5).unwrap();
    for _ in 0..9 {
        sim.step_op();
    }
    let at = sim.ops();
    let want = snapshot(&mut sim);
    assert_eq!(sim.controls()[0].ops, 5);
    // Back to the start and forward again, in small bounded pieces.
    assert!(sim.seek_ops(0, u64::MAX));
    while !sim.seek_ops(at, 100) {}
    assert_eq!(snapshot(&mut sim), want);
    // The same log given to a fresh run (a shared link) reproduces the moment too.
    let mut other = Sim::new(spec.build().unwrap()).unwrap();
    other.replay_controls(sim.controls()).unwrap();
    assert!(other.seek_ops(at, u64::MAX));
    assert_eq!(snapshot(&mut other), want);
    // Without the change at operation 5 the run differs.
    let mut plain = Sim::new(spec.build().unwrap()).unwrap();
    plain.seek_ops(at, u64::MAX);
    assert_ne!(snapshot(&mut plain).0, want.0);
}

#[test]
fn a_replayed_log_out_of_order_or_out_of_range_is_refused() {
    let spec = PipelineSpec::tandem([2, 2, 2], 3, 50, 4);
    let mut sim = Sim::new(spec.build().unwrap()).unwrap();
    sim.step(10_000);
    sim.set_maxsize(1, 2).unwrap();
    sim.step(10_000);
    sim.set_workers(0, 3).unwrap();
    let log = sim.controls().to_vec();
    let fresh = || Sim::new(spec.build().unwrap()).unwrap();
    let reversed: Vec<_> = log.iter().rev().copied().collect();
    assert!(fresh().replay_controls(&reversed).is_err());
    let mut bad = log.clone();
    bad[0].control = pipeline_lab::sim::Control::MaxSize {
        queue: 9,
        maxsize: 1,
    };
    let error = fresh().replay_controls(&bad).unwrap_err().to_string();
    assert!(error.contains("controls[0].queue"), "{error}");
    assert!(fresh().replay_controls(&log).is_ok());
}

#[test]
fn stepping_to_the_next_item_done_stops_right_after_it() {
    let spec = PipelineSpec::tandem([1, 2, 1], 2, 20, 3);
    let mut sim = Sim::new(spec.build().unwrap()).unwrap();
    for n in 1..=3 {
        assert!(sim.step_item(u64::MAX));
        assert_eq!(sim.items_done(), n);
        // One operation less and the item was not done yet.
        let ops = sim.ops();
        let mut check = Sim::new(spec.build().unwrap()).unwrap();
        check.seek_ops(ops - 1, u64::MAX);
        assert_eq!(check.items_done(), n - 1);
    }
    // A budget too small stops short and says so.
    let (ops, items) = (sim.ops(), sim.items_done());
    let got_there = sim.step_item(1);
    assert_eq!(sim.ops(), ops + 1);
    assert_eq!(got_there, sim.items_done() > items);
}

/// The lines a worker thread of `id` runs, one step at a time, from start to end.
fn worker_lines(id: &str, worker: usize) -> Vec<String> {
    let source = preset(id).unwrap().source;
    let mut sim = Sim::new(preset(id).unwrap()).unwrap();
    let mut lines = vec![];
    while sim.is_running() {
        let before = sim.ops();
        sim.step_op();
        if sim.ops() == before {
            break;
        }
        let LastOp { thread, line, .. } = sim.last_op().unwrap();
        if thread == worker && line > 0 {
            lines.push(source[line as usize - 1].trim().to_string());
        }
    }
    lines
}

#[test]
fn a_workers_get_sentinel_check_work_put_and_task_done_are_each_one_step() {
    for id in ["p5", "p6"] {
        // Thread 1 is the first stage's (first) worker.
        let lines = worker_lines(id, 1);
        // The first `get` that found an item (one that blocked first runs again when woken):
        // `item = q.get()`, or `for item in self.in_queue:` (ClosableQueue's `__iter__`).
        let get = lines
            .iter()
            .position(|l| l.contains("SENTINEL"))
            .and_then(|check| check.checked_sub(1))
            .unwrap_or_else(|| panic!("{id}: no get among {} lines", lines.len()));
        assert!(
            lines[get].contains(".get()") || lines[get].starts_with("for item in"),
            "{id}: {}",
            lines[get]
        );
        let after: Vec<&str> = lines[get..get + 5].iter().map(|s| s.as_str()).collect();
        assert!(
            after[1].starts_with("if ") && after[1].contains("SENTINEL"),
            "{id}: {after:?}"
        );
        assert!(
            after[2].contains("func(item)") || after[2].contains("(item)"),
            "{id}: {after:?}"
        );
        assert!(after[3].contains(".put("), "{id}: {after:?}");
        assert!(after[4].contains("task_done()"), "{id}: {after:?}");
        // The SENTINEL's own check, its `task_done()` and the thread's return are steps too.
        let tail: Vec<&str> = lines[lines.len() - 3..]
            .iter()
            .map(|s| s.as_str())
            .collect();
        assert!(tail[0].contains("SENTINEL"), "{id}: {tail:?}");
        assert!(tail[1].contains("task_done()"), "{id}: {tail:?}");
        assert!(tail[2].starts_with("return"), "{id}: {tail:?}");
    }
}

/// Every step that ends a thread of `id`: (thread, the source line it marks).
fn endings(id: &str) -> Vec<(usize, String)> {
    let source = preset(id).unwrap().source;
    step_through(id)
        .1
        .into_iter()
        .filter(|op| op.ended)
        .map(|op| {
            assert!(op.line > 0, "{id}: thread {} ended on no line", op.thread);
            (op.thread, source[op.line as usize - 1].trim().to_string())
        })
        .collect()
}

#[test]
fn a_step_that_ends_a_thread_marks_the_line_it_ended_on() {
    // P2: the consumer returns after its last print, main after joining it.
    assert_eq!(
        endings("p2"),
        [
            (1, "print('consumer done')".to_string()),
            (0, "thread.join()".to_string()),
        ]
    );
    // Every preset that runs to its end, end to end: each thread's ending is one step, marked
    // on a line of its program, and only the ending steps say so.
    for info in presets() {
        let mut sim = Sim::new(preset(info.id).unwrap()).unwrap();
        let threads = sim.frame().thread_state.len();
        let mut ended = vec![0; threads];
        while sim.is_running() {
            let before = sim.ops();
            sim.step_op();
            if sim.ops() == before {
                break;
            }
            let op = sim.last_op().unwrap();
            let state = sim.frame().thread_state[op.thread];
            assert_eq!(op.ended, state == ThreadState::Ended as u8, "{}", info.id);
            if op.ended {
                assert!(
                    op.line > 0,
                    "{}: thread {} ended on line 0",
                    info.id,
                    op.thread
                );
                ended[op.thread] += 1;
            }
        }
        if sim.status() == Status::Finished {
            assert_eq!(ended[0], 1, "{}: main's end is one step", info.id);
        }
        assert!(ended.iter().all(|&n| n <= 1), "{}: {ended:?}", info.id);
    }
}
