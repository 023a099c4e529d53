//! One body, both engines: the note's programs print what the note says, the failure presets
//! end in their own report naming the threads that wait, and controls keep every item. Each
//! test runs on the model engine and on real threads, so the engines cannot drift apart.

mod common;
use common::*;
use pipeline_lab::engine::Engine;
use pipeline_lab::live::{ClockMode, LiveOptions};
use pipeline_lab::scenario::{preset, presets, Lang, PipelineSpec, Rng, Service};
use pipeline_lab::stats::{HangKind, Status, ThreadState};
use std::time::{Duration, Instant};

/// Runs `id` to its end in `lang`.
fn finish(make: &Make, id: &str, lang: Lang) -> Engine {
    let mut run = make(preset(id).expect("preset")).with_lang(lang);
    let start = Instant::now();
    while run.run_slice() == Status::Running {
        assert!(start.elapsed() < PATIENCE, "{id} never ended");
    }
    run
}

/// `lines` holds `first` before `then`.
fn before(lines: &[String], first: &str, then: &str) -> bool {
    let at = |s: &str| lines.iter().position(|l| l == s);
    matches!((at(first), at(then)), (Some(a), Some(b)) if a < b)
}

on_both_engines! {
    /// P2: `start()` runs the consumer until it waits in `get()`, so "consumer waiting" comes
    /// first and "producer putting" second. Once `put()` wakes the consumer, real threads may
    /// print the last two in either order; the model engine prints the note's.
    fn p2_get_blocks_until_put(make) {
        for _ in 0..10 {
            let run = finish(make, "p2", Lang::En);
            assert_eq!(run.status(), Status::Finished);
            let lines = run.console_lines();
            assert_eq!(lines[..2], ["consumer waiting", "producer putting"]);
            let mut rest = lines[2..].to_vec();
            if run.capabilities().deterministic {
                assert_eq!(rest, ["producer done", "consumer done"]);
            }
            rest.sort();
            assert_eq!(rest, ["consumer done", "producer done"]);
        }
        let ko = finish(make, "p2", Lang::Ko).console_lines();
        assert_eq!(ko[..2], ["소비자 대기", "생산자 데이터 추가"]);
    }

    /// P3: the second `put()` waits for the first `get()`. The consumer sleeps 0.1 s first,
    /// so "producer 1" comes first; each thread's own lines keep their order.
    fn p3_second_put_waits_for_first_get(make) {
        for _ in 0..10 {
        let run = finish(make, "p3", Lang::En);
        assert_eq!(run.status(), Status::Finished);
        let lines = run.console_lines();
        assert_eq!(lines.len(), 6, "{lines:?}");
        assert_eq!(lines[0], "producer 1");
        for (a, b) in [
            ("consumer 1", "consumer 2"),
            ("consumer 2", "consumer done"),
            ("producer 1", "producer 2"),
            ("producer 2", "producer done"),
        ] {
            assert!(before(&lines, a, b), "{a} before {b}: {lines:?}");
        }
        if run.capabilities().deterministic {
            assert_eq!(
                lines,
                ["producer 1", "consumer 1", "producer 2", "producer done", "consumer 2", "consumer done"]
            );
        }
        assert_eq!(run.now(), 100_000);
        }
        let ko = finish(make, "p3", Lang::Ko).console_lines();
        assert_eq!(ko[0], "생산자 1");
    }

    /// P4: `join()` returns only after `task_done()`: "producer done" is last.
    fn p4_join_waits_for_task_done(make) {
        for _ in 0..10 {
        let run = finish(make, "p4", Lang::En);
        assert_eq!(run.status(), Status::Finished);
        let lines = run.console_lines();
        assert_eq!(lines.len(), 6, "{lines:?}");
        assert_eq!(lines[..2], ["consumer waiting", "producer putting"]);
        let mut middle = lines[2..4].to_vec();
        middle.sort();
        assert_eq!(middle, ["consumer working", "producer waiting"]);
        assert_eq!(lines[4..], ["consumer done", "producer done"]);
        }
        let ko = finish(make, "p4", Lang::Ko).console_lines();
        assert_eq!(ko.last().unwrap(), "생산자 완료");
    }

    /// P5 and P6 process every item, and every worker exits at its SENTINEL.
    fn p5_and_p6_process_every_item_and_every_worker_exits(make) {
        for id in ["p5", "p6"] {
            let mut run = finish(make, id, Lang::En);
            assert_eq!(run.status(), Status::Finished, "{id}");
            assert_eq!(run.console_lines(), ["1000 items processed"], "{id}");
            let stats = run.stats();
            assert_eq!(stats.items_done, 1000);
            assert!(
                stats.threads.iter().all(|t| t.state == ThreadState::Ended),
                "{id}: a thread is left"
            );
            assert!(stats
                .queues
                .iter()
                .all(|q| q.unfinished_tasks == 0 || q.name == "done_queue"));
            run.set_lang(Lang::Ko);
            assert_eq!(run.console_lines(), ["1000 개의 원소가 처리됨"]);
        }
        let p6 = finish(make, "p6", Lang::En).stats();
        let workers: Vec<u32> = p6.stages.iter().map(|s| s.workers).collect();
        assert_eq!(workers, [3, 4, 5]);
    }

    /// P1 polls at least once per item plus two empty polls per worker (the model engine's
    /// 3006 is the least it can be); its workers never end, and linger.
    fn p1_polls_and_its_workers_linger(make) {
        let run = finish(make, "p1", Lang::En);
        assert_eq!(run.status(), Status::Finished);
        let stats = run.stats();
        assert_eq!(stats.items_done, 1000);
        assert!(stats.polls >= 3006, "{}", stats.polls);
        assert_eq!(stats.lingering, ["download", "resize", "upload"]);
        let line = &run.console_lines()[0];
        assert!(line.starts_with("1000 items processed, polled "), "{line}");
        // The busy-wait burnt at least the workers' first 10 ms nap.
        assert!(stats.threads[0].spinning_us >= 10_000);
        if run.capabilities().deterministic {
            assert_eq!(stats.polls, 3006);
            assert_eq!(stats.wasted_polls, 6);
        }
    }

    /// F1: a missing SENTINEL leaves one worker in `get()` forever; main waits in its `join()`.
    fn f1_missing_sentinel_names_the_worker_that_never_ends(make) {
        let run = finish(make, "f1", Lang::En);
        assert_eq!(run.status(), Status::Hang);
        let hang = run.hang().expect("a report");
        assert_eq!(hang.kind, HangKind::WorkerNeverEnds);
        let main = hang.waiting.iter().find(|w| w.name == "main").expect("main waits");
        let stuck = main
            .on
            .strip_prefix("join() of thread ")
            .and_then(|s| s.split(',').next())
            .expect("main joins a worker");
        let worker = hang.waiting.iter().find(|w| w.name == stuck).expect("it waits");
        assert_eq!(worker.state, ThreadState::BlockedGet);
        assert!(worker.on.contains("get() on download_queue"));
        assert!(hang.message.starts_with(&format!("{stuck} never end")), "{}", hang.message);
    }

    /// F2: a forgotten `task_done()` leaves `join()` waiting on one unfinished task.
    fn f2_forgotten_task_done_leaves_join_waiting(make) {
        let run = finish(make, "f2", Lang::En);
        assert_eq!(run.status(), Status::Hang);
        let hang = run.hang().expect("a report");
        assert_eq!(hang.kind, HangKind::JoinNeverReturns);
        assert_eq!(hang.waiting.len(), 1);
        assert_eq!(hang.waiting[0].name, "main");
        assert!(hang.waiting[0].on.contains("in_queue.join() (1 unfinished"));
        assert_eq!(run.console_lines().last().unwrap(), "consumer done");
    }

    /// F3: an unbounded queue before a slow stage grows until `MemoryError`.
    fn f3_unbounded_queue_before_slow_stage_raises_memory_error(make) {
        let run = finish(make, "f3", Lang::En);
        assert_eq!(run.status(), Status::MemoryError);
        let stats = run.stats();
        let m = stats.memory_error.as_ref().expect("a report");
        assert_eq!(m.queue, "resize_queue");
        assert!(m.bytes > m.budget_bytes);
        assert!(stats.queues[1].len > 500, "resize_queue holds {}", stats.queues[1].len);
        assert!(stats.console.last().unwrap().starts_with("MemoryError"));
        assert!(stats.items_done < 10_000);
    }

    /// F4: two full queues wait on each other; the report names both threads, in the reader's
    /// language.
    fn f4_full_queues_deadlock_names_both_threads(make) {
        let mut run = finish(make, "f4", Lang::En);
        assert_eq!(run.status(), Status::Hang);
        let hang = run.hang().expect("a report");
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
        run.set_lang(Lang::Ko);
        let ko = run.hang().expect("a report");
        assert!(ko.message.starts_with("교착 상태"), "{}", ko.message);
    }

    /// Little's law per stage holds at every instant of random pipelines (L against lambda x W
    /// over the run so far, items still inside counting their time up to now), to rounding.
    fn littles_law_holds_at_random_instants(make) {
        let mut rng = Rng::new(55);
        for case in 0..6 {
            let stages = 1 + rng.below(3) as usize;
            let spec = PipelineSpec {
                workers: (0..stages).map(|_| 1 + rng.below(4) as u32).collect(),
                maxsize: (0..stages).map(|_| rng.below(6) as u32).collect(),
                service: (0..stages)
                    .map(|_| Service::Exp { mean_us: 200 + rng.below(2000) })
                    .collect(),
                items: 300,
                seed: case,
                ..PipelineSpec::tandem([1, 1, 1], 0, 300, case)
            };
            let mut run = make(spec.build().expect("a valid pipeline"));
            let mut checked = 0;
            while run.is_running() && checked < 40 {
                run.step(1 + rng.below(20_000));
                let stats = run.stats();
                for st in &stats.stages {
                    let lw = st.little_lambda_per_s * st.little_w_us / 1e6;
                    assert!(
                        (st.little_l - lw).abs() <= 1e-9 * st.little_l.max(1.0),
                        "case {case} at {} us, {}: L {} against lambda x W {lw}",
                        stats.virtual_time_us,
                        st.name,
                        st.little_l
                    );
                }
                checked += 1;
            }
        }
    }

    /// P1 starts each worker by name (`download.start()`), not as a group: a worker added after
    /// that runs at once, instead of staying "not started" forever.
    fn a_worker_added_to_p1_after_its_start_runs(make) {
        let scenario = preset("p1").unwrap();
        let added = scenario.threads.len();
        let start = Instant::now();
        // On real threads the 1,000 items can flow through without a single nap, so the run
        // may end before the change is made: then it is made again on a new run.
        let mut run = loop {
            let mut run = make(scenario.clone());
            // Main starts the three workers by name at time 0, before its first nap.
            while run.frame().thread_state[1..4].contains(&(ThreadState::NotStarted as u8)) {
                assert!(start.elapsed() < PATIENCE, "the workers never started");
                run.step(1);
                std::thread::sleep(Duration::from_millis(1));
            }
            match run.set_workers(0, 2) {
                Ok(()) => break run,
                Err(_) if run.status() != Status::Running => {
                    assert!(start.elapsed() < PATIENCE, "every run ended before the change");
                }
                Err(e) => panic!("{e}"),
            }
        };
        while run.frame().thread_state[added] == ThreadState::NotStarted as u8 {
            assert!(start.elapsed() < PATIENCE, "the added worker never started");
            run.step(1_000);
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(run.frame().thread_state.len() > added);
    }

    /// Workers and `maxsize` changed while items flow: every item still arrives, once.
    fn controls_mid_run_lose_no_item(make) {
        let scenario = PipelineSpec {
            workers: vec![2, 3, 2],
            maxsize: vec![4; 3],
            service: vec![Service::Exp { mean_us: 1000 }; 3],
            ..PipelineSpec::tandem([1, 1, 1], 4, 2000, 7)
        }
        .build()
        .unwrap();
        let mut run = make(scenario);
        // (virtual time to step, (stage, workers), (queue, maxsize))
        type Change = (u64, Option<(usize, u32)>, Option<(usize, u32)>);
        let changes: [Change; 4] = [
            (50_000, Some((1, 6)), None),
            (50_000, None, Some((0, 1))),
            (50_000, Some((1, 1)), Some((2, 20))),
            (50_000, Some((0, 4)), Some((0, 0))),
        ];
        for (dt, workers, maxsize) in changes {
            run.step(dt);
            if !run.is_running() {
                break;
            }
            if let Some((stage, count)) = workers {
                run.set_workers(stage, count).expect("a running stage");
            }
            if let Some((queue, maxsize)) = maxsize {
                run.set_maxsize(queue, maxsize).expect("a queue");
            }
        }
        let start = Instant::now();
        while run.run_slice() == Status::Running {
            assert!(start.elapsed() < PATIENCE, "never ended");
        }
        assert_eq!(run.status(), Status::Finished);
        assert_eq!(run.items_done(), 2000);
        assert_eq!(run.stats().items_done, 2000);
    }
}

/// Controls refused on one engine are refused on the other, with the same error.
#[test]
fn controls_are_refused_alike_on_both_engines() {
    fn both(id: &str) -> (Engine, Engine) {
        let model = finish(&|s| Engine::model(s).unwrap(), id, Lang::En);
        let live = finish(
            &|s| Engine::live(s, LiveOptions::default()).unwrap(),
            id,
            Lang::En,
        );
        (model, live)
    }
    // A hung run: its download stage is shutting down; the others have ended.
    let (mut model, mut live) = both("f1");
    for (stage, count) in [(9, 2), (0, 0), (0, 33), (0, 2), (1, 2)] {
        assert_eq!(
            live.set_workers(stage, count),
            model.set_workers(stage, count),
            "set_workers({stage}, {count})"
        );
    }
    for (queue, maxsize) in [(7, 1), (0, 1001), (0, 5)] {
        assert_eq!(
            live.set_maxsize(queue, maxsize),
            model.set_maxsize(queue, maxsize),
            "set_maxsize({queue}, {maxsize})"
        );
    }
    // A polling deque has no maxsize; a stage without workers has none to copy.
    let (mut model, mut live) = both("p1");
    assert_eq!(live.set_maxsize(0, 5), model.set_maxsize(0, 5));
    let (mut model, mut live) = both("p4");
    assert_eq!(live.set_workers(0, 2), model.set_workers(0, 2));
    assert!(live.set_workers(0, 2).is_err());
}

/// Every preset ends the same way on both engines: status, items done, hang kind, threads.
#[test]
fn every_preset_ends_alike_on_both_engines() {
    for p in presets() {
        let model = finish(&|s| Engine::model(s).unwrap(), p.id, Lang::En);
        let live = finish(
            &|s| Engine::live(s, LiveOptions::with_clock(ClockMode::Virtual)).unwrap(),
            p.id,
            Lang::En,
        );
        let (want, got) = (model.stats(), live.stats());
        assert_eq!(live.status(), model.status(), "{}: status", p.id);
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
