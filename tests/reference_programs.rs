//! The six programs of Item 55 print what the note says, in both languages; the four failure
//! presets end in their own report naming the threads that wait; a raise names its line.

use pipeline_lab::scenario::{preset, presets, Lang, Scenario};
use pipeline_lab::sim::Sim;
use pipeline_lab::stats::{HangKind, Status, ThreadState};

fn run(id: &str, lang: Lang) -> Sim {
    let mut sim = Sim::new(preset(id).expect("preset exists")).expect("preset is valid");
    sim.set_lang(lang);
    sim.run_to_end();
    sim
}

#[test]
fn p2_get_blocks_until_put_prints_the_notes_order() {
    let sim = run("p2", Lang::En);
    assert_eq!(sim.status(), Status::Finished);
    assert_eq!(
        sim.console_lines(),
        [
            "consumer waiting",
            "producer putting",
            "producer done",
            "consumer done"
        ]
    );
    let sim = run("p2", Lang::Ko);
    assert_eq!(
        sim.console_lines(),
        [
            "소비자 대기",
            "생산자 데이터 추가",
            "생산자 완료",
            "소비자 완료"
        ]
    );
}

#[test]
fn p3_second_put_waits_for_first_get() {
    let sim = run("p3", Lang::En);
    assert_eq!(sim.status(), Status::Finished);
    assert_eq!(
        sim.console_lines(),
        [
            "producer 1",
            "consumer 1",
            "producer 2",
            "producer done",
            "consumer 2",
            "consumer done"
        ]
    );
    let sim = run("p3", Lang::Ko);
    assert_eq!(
        sim.console_lines(),
        [
            "생산자 1",
            "소비자 1",
            "생산자 2",
            "생산자 완료",
            "소비자 2",
            "소비자 완료"
        ]
    );
}

#[test]
fn p4_join_waits_for_task_done() {
    let sim = run("p4", Lang::En);
    assert_eq!(sim.status(), Status::Finished);
    assert_eq!(
        sim.console_lines(),
        [
            "consumer waiting",
            "producer putting",
            "producer waiting",
            "consumer working",
            "consumer done",
            "producer done"
        ]
    );
    let sim = run("p4", Lang::Ko);
    assert_eq!(
        sim.console_lines(),
        [
            "소비자 대기",
            "생산자 데이터 추가",
            "생산자 대기",
            "소비자 작업 중",
            "소비자 완료",
            "생산자 완료"
        ]
    );
}

#[test]
fn p5_and_p6_process_every_item_and_every_worker_exits() {
    for id in ["p5", "p6"] {
        let sim = run(id, Lang::En);
        assert_eq!(sim.status(), Status::Finished, "{id}");
        assert_eq!(sim.console_lines(), ["1000 items processed"], "{id}");
        let stats = sim.stats();
        assert_eq!(stats.items_done, 1000);
        assert!(
            stats.threads.iter().all(|t| t.state == ThreadState::Ended),
            "{id}: a thread is left"
        );
        assert!(stats
            .queues
            .iter()
            .all(|q| q.unfinished_tasks == 0 || q.name == "done_queue"));
        let ko = run(id, Lang::Ko);
        assert_eq!(ko.console_lines(), ["1000 개의 원소가 처리됨"]);
    }
    let p6 = run("p6", Lang::En).stats();
    let workers: Vec<u32> = p6.stages.iter().map(|s| s.workers).collect();
    assert_eq!(workers, [3, 4, 5]);
}

/// 3006, not the note's 3009: see the doc comment of the P1 preset for why.
#[test]
fn p1_polls_once_per_item_plus_two_empty_polls_per_worker() {
    let sim = run("p1", Lang::En);
    assert_eq!(sim.status(), Status::Finished);
    assert_eq!(
        sim.console_lines(),
        ["1000 items processed, polled 3006 times"]
    );
    let stats = sim.stats();
    assert_eq!(stats.items_done, 1000);
    assert_eq!(stats.polls, 3006);
    assert_eq!(stats.wasted_polls, 6);
    for t in &stats.threads[1..] {
        assert_eq!(t.work_done, 1000, "{}", t.name);
        assert_eq!(t.polled_count, 1002, "{}", t.name);
    }
    // The busy-wait burnt the 10 ms that the workers slept.
    assert_eq!(stats.threads[0].spinning_us, 10_000);
    assert_eq!(stats.wasted_cpu_us, 10_000);
    // Worker.run never ends: the workers are still polling when main prints.
    assert_eq!(stats.lingering, ["download", "resize", "upload"]);
    let ko = run("p1", Lang::Ko);
    assert_eq!(
        ko.console_lines(),
        ["1000 개의 아이템을 처리했습니다, 이때 폴링을 3006 번 했습니다."]
    );
}

#[test]
fn f1_missing_sentinel_names_the_worker_that_never_ends() {
    let sim = run("f1", Lang::En);
    assert_eq!(sim.status(), Status::Hang);
    let hang = sim.hang().unwrap();
    assert_eq!(hang.kind, HangKind::WorkerNeverEnds);
    let main = hang
        .waiting
        .iter()
        .find(|w| w.name == "main")
        .expect("main waits");
    assert!(
        main.on.contains("join() of thread download-"),
        "{}",
        main.on
    );
    let stuck = main
        .on
        .trim_start_matches("join() of thread ")
        .split(',')
        .next()
        .unwrap();
    let worker = hang
        .waiting
        .iter()
        .find(|w| w.name == stuck)
        .expect("the joined worker waits");
    assert_eq!(worker.state, ThreadState::BlockedGet);
    assert!(worker.on.contains("get() on download_queue"));
    assert!(
        hang.message.starts_with(&format!("{stuck} never end")),
        "{}",
        hang.message
    );
}

#[test]
fn f2_forgotten_task_done_leaves_join_waiting() {
    let sim = run("f2", Lang::En);
    assert_eq!(sim.status(), Status::Hang);
    let hang = sim.hang().unwrap();
    assert_eq!(hang.kind, HangKind::JoinNeverReturns);
    assert_eq!(hang.waiting.len(), 1);
    assert_eq!(hang.waiting[0].name, "main");
    assert!(hang.waiting[0].on.contains("in_queue.join() (1 unfinished"));
    assert_eq!(sim.console_lines().last().unwrap(), "consumer done");
}

#[test]
fn f3_unbounded_queue_before_slow_stage_raises_memory_error() {
    let sim = run("f3", Lang::En);
    assert_eq!(sim.status(), Status::MemoryError);
    let stats = sim.stats();
    let m = stats.memory_error.as_ref().unwrap();
    assert_eq!(m.queue, "resize_queue");
    assert!(m.bytes > m.budget_bytes);
    let resize = &stats.queues[1];
    assert!(resize.len > 500, "resize_queue holds {}", resize.len);
    assert!(stats.console.last().unwrap().starts_with("MemoryError"));
    assert!(stats.items_done < 10_000);
}

#[test]
fn f4_full_queues_deadlock_names_both_threads() {
    let sim = run("f4", Lang::En);
    assert_eq!(sim.status(), Status::Hang);
    let hang = sim.hang().unwrap();
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
}

#[test]
fn every_preset_marks_python_lines_that_exist() {
    for p in presets() {
        let s = preset(p.id).unwrap();
        assert!(!s.source.is_empty(), "{}", p.id);
        for t in &s.threads {
            for op in &t.program {
                assert!(op.line as usize <= s.source.len());
            }
        }
        assert!(!p.title.ko.is_empty() && !p.summary.en.is_empty());
    }
}

#[test]
fn presets_survive_a_json_round_trip() {
    for p in presets() {
        let s = preset(p.id).unwrap();
        let back = pipeline_lab::scenario::Scenario::from_json(&s.to_json()).unwrap();
        assert_eq!(back, s);
    }
}

/// `put` then `task_done()` run as one step of the engine when the `put` succeeds; a
/// `task_done()` with nothing unfinished must still raise `ValueError` at its own line.
#[test]
fn task_done_once_too_often_right_after_a_put_raises_at_its_own_line() {
    let json = r#"{
        "id": "raise", "title": {"en": "t", "ko": "t"},
        "source": ["q.put(object())", "other.task_done()"],
        "queues": [{"name": "q", "kind": "queue"}, {"name": "other", "kind": "queue"}],
        "threads": [{"name": "MainThread", "program": [
            {"line": 1, "op": "put", "queue": 0, "value": "new_item"},
            {"line": 2, "op": "task_done", "queue": 1}
        ]}]
    }"#;
    let mut sim = Sim::new(Scenario::from_json(json).unwrap()).unwrap();
    sim.run_to_end();
    let console = sim.console();
    assert_eq!(console.len(), 1, "{console:?}");
    assert_eq!(console[0].line, 2);
    assert!(
        console[0]
            .en
            .contains("ValueError: task_done() called too many times"),
        "{}",
        console[0].en
    );
}
