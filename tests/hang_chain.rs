//! The wait-for chain behind a hang: each failure preset's chain ends at its root cause, named
//! with its source line, alike on both engines and in both languages; the command line prints it.

mod common;
use common::*;
use pipeline_lab::engine::Engine;
use pipeline_lab::live::LiveOptions;
use pipeline_lab::scenario::{preset, Lang, Scenario};
use pipeline_lab::stats::{ChainWait, HangChain, RootKind, Status};
use std::time::Instant;

fn model(s: Scenario) -> Engine {
    Engine::model(s).expect("valid")
}

fn live(s: Scenario) -> Engine {
    Engine::live(s, LiveOptions::default()).expect("starts")
}

/// Runs `scenario` to its end in `lang`.
fn finish(make: &Make, scenario: Scenario, lang: Lang) -> Engine {
    let id = scenario.id.clone();
    let mut run = make(scenario).with_lang(lang);
    let start = Instant::now();
    while run.run_slice() == Status::Running {
        assert!(start.elapsed() < PATIENCE, "{id} never ended");
    }
    run
}

/// The chain of a hung run of `scenario`.
fn chain_of(make: &Make, scenario: Scenario, lang: Lang) -> HangChain {
    let id = scenario.id.clone();
    let run = finish(make, scenario, lang);
    assert_eq!(run.status(), Status::Hang, "{id}");
    let hang = run.stats().hang.expect("a hang report");
    hang.chain.expect("a wait-for chain")
}

/// The source line `line` of preset `id` (1-based).
fn source_line(id: &str, line: u32) -> String {
    let s = preset(id).expect("preset");
    assert!(line >= 1, "{id}: no line");
    s.source[line as usize - 1].clone()
}

/// A thread name without its worker number (`download-2` -> `download`): which worker of a
/// stage misses its SENTINEL is up to real threads.
fn stem(name: &str) -> &str {
    name.rsplit_once('-')
        .filter(|(_, n)| n.chars().all(|c| c.is_ascii_digit()))
        .map_or(name, |(s, _)| s)
}

/// What must be the same on both engines: each link's thread (by stem), wait, queue and line,
/// and the root's kind, line and queues.
fn outline(c: &HangChain) -> String {
    let links: Vec<String> = c
        .links
        .iter()
        .map(|l| format!("{}:{:?}:{:?}:{}", stem(&l.name), l.wait, l.queue, l.line))
        .collect();
    format!(
        "{} => {:?} line {} queues {:?}",
        links.join(" -> "),
        c.root.kind,
        c.root.line,
        c.root.queues
    )
}

on_both_engines! {
    /// F1: main joins a download worker that waits in `for item in download_queue` for the
    /// SENTINEL that `for _ in threads[1:]` never puts; the root names that loop's line.
    fn f1_ends_at_the_missing_sentinel_and_its_loop(make) {
        let c = chain_of(make, preset("f1").unwrap(), Lang::En);
        assert_eq!(c.links[0].name, "main");
        assert_eq!(c.links[0].wait, ChainWait::JoinThread);
        assert_eq!(c.links[0].next, Some(c.links[1].thread));
        assert_eq!(c.links[1].wait, ChainWait::Get);
        assert_eq!(stem(&c.links[1].name), "download");
        assert_eq!(c.links[1].releasers, [0], "only main puts into download_queue");
        assert_eq!(c.links.len(), 2);
        assert_eq!(c.root.kind, RootKind::MissingSentinel);
        assert_eq!(c.root.queues, [0]);
        assert!(source_line("f1", c.root.line).contains("for _ in threads[1:]"));
        let w = &c.links[1].name;
        assert!(
            c.root.text.starts_with(&format!("no SENTINEL was ever put into download_queue for {w}")),
            "{}",
            c.root.text
        );
        assert!(c.root.text.ends_with(&format!("see line {}", c.root.line)), "{}", c.root.text);
        // The other stages' workers wait behind it, each with who could release it.
        assert_eq!(c.others.len(), 9);
        assert!(c.others.iter().all(|l| l.wait == ChainWait::Get && !l.releasers.is_empty()));
        let ko = chain_of(make, preset("f1").unwrap(), Lang::Ko);
        assert!(
            ko.root.text.starts_with("download_queue 큐에 download-"),
            "{}",
            ko.root.text
        );
        assert!(ko.root.text.contains("센티넬이 들어가지 않았습니다"), "{}", ko.root.text);
        assert!(ko.root.text.ends_with(&format!("{}번째 줄을 보세요", ko.root.line)));
    }

    /// F2: main's `in_queue.join()` waits for a `task_done()` the consumer never calls; the
    /// root names the `get()` that took the item.
    fn f2_ends_at_the_task_done_never_called(make) {
        let c = chain_of(make, preset("f2").unwrap(), Lang::En);
        assert_eq!(c.links.len(), 1);
        assert_eq!(c.links[0].wait, ChainWait::JoinQueue);
        assert!(source_line("f2", c.links[0].line).contains("in_queue.join()"));
        assert!(c.links[0].releasers.is_empty());
        assert_eq!(c.root.kind, RootKind::TaskDoneMissing);
        assert!(source_line("f2", c.root.line).contains("work = in_queue.get()"));
        assert_eq!(
            c.root.text,
            format!(
                "in_queue.task_done() was never called for 1 item: consumer took it with \
                 in_queue.get() at line {}, and no line calls in_queue.task_done()",
                c.root.line
            )
        );
        let ko = chain_of(make, preset("f2").unwrap(), Lang::Ko);
        assert!(
            ko.root.text.starts_with("아이템 1개에 대해 in_queue.task_done()이 호출되지 않았습니다"),
            "{}",
            ko.root.text
        );
        assert!(ko.root.text.contains(&format!("{}번째 줄의 in_queue.get()", ko.root.line)));
    }

    /// F4: main waits to put into the full in_queue, which only the worker reads; the worker
    /// waits to put into the full out_queue, which only main reads: a cycle of full queues.
    fn f4_ends_at_two_full_queues_waiting_on_each_other(make) {
        let c = chain_of(make, preset("f4").unwrap(), Lang::En);
        let names: Vec<&str> = c.links.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["main", "worker"]);
        assert!(c.links.iter().all(|l| l.wait == ChainWait::Put));
        assert_eq!(c.links[0].next, Some(1));
        assert_eq!(c.root.kind, RootKind::FullQueueCycle);
        assert_eq!(c.root.queues, [0, 1]);
        assert_eq!(c.root.threads, [0, 1]);
        assert!(source_line("f4", c.root.line).contains("in_queue.put(object())"));
        assert!(
            c.root.text.starts_with("in_queue and out_queue are full and wait on each other"),
            "{}",
            c.root.text
        );
        let out_put = c.links[1].line;
        assert!(source_line("f4", out_put).contains("out_queue.put(result)"));
        assert!(c.root.text.contains(&format!("out_queue (line {out_put})")));
        let ko = chain_of(make, preset("f4").unwrap(), Lang::Ko);
        assert!(
            ko.root.text.starts_with("in_queue 큐와 out_queue 큐가 가득 차서 서로를 기다립니다"),
            "{}",
            ko.root.text
        );
    }

    /// F3 does not hang: it ends in `MemoryError`, so there is no chain to draw.
    fn f3_ends_in_memory_error_without_a_chain(make) {
        let run = finish(make, preset("f3").unwrap(), Lang::En);
        assert_eq!(run.status(), Status::MemoryError);
        let stats = run.stats();
        assert!(stats.hang.is_none());
        assert_eq!(stats.memory_error.expect("a MemoryError report").queue, "resize_queue");
    }

    /// A consumer waits on a queue that no line puts into: the chain ends there.
    fn a_get_nobody_will_answer_ends_at_no_putter(make) {
        let c = chain_of(make, scenario(NO_PUTTER), Lang::En);
        assert_eq!(c.links.len(), 2);
        assert_eq!(c.links[0].wait, ChainWait::JoinThread);
        assert_eq!(c.root.kind, RootKind::NoPutter);
        assert_eq!(c.root.line, 2);
        assert_eq!(
            c.root.text,
            "no thread puts into q, so consumer waits in q.get() forever; see line 2"
        );
    }

    /// main joins the consumer before it puts the item the consumer waits for.
    fn a_join_before_the_put_is_a_wait_cycle(make) {
        let c = chain_of(make, scenario(JOIN_BEFORE_PUT), Lang::En);
        assert_eq!(c.root.kind, RootKind::WaitCycle);
        assert_eq!(c.root.threads, [0, 1]);
        assert_eq!(c.root.line, 4);
        assert!(c.root.text.starts_with("main and consumer wait on each other"), "{}", c.root.text);
    }
}

on_both_engines! {
    /// main's second `put()` waits on a full `Queue(1)` that no thread reads.
    fn a_put_nobody_will_take_ends_at_no_taker(make) {
        let c = chain_of(make, scenario(NO_TAKER), Lang::En);
        assert_eq!(c.links.len(), 1);
        assert_eq!(c.links[0].wait, ChainWait::Put);
        assert_eq!(c.root.kind, RootKind::NoTaker);
        assert_eq!(
            c.root.text,
            "no thread takes from q, so main waits in q.put() forever; see line 3"
        );
        let ko = chain_of(make, scenario(NO_TAKER), Lang::Ko);
        assert_eq!(
            ko.root.text,
            "q 큐에서 꺼내는 스레드가 없어 main 스레드가 q.put()에서 영원히 기다립니다. 3번째 줄을 보세요"
        );
    }

    /// main waits in `q.get()` for an item only a thread it never started would put.
    fn a_releaser_never_started_ends_the_chain(make) {
        let c = chain_of(make, scenario(NEVER_STARTED), Lang::En);
        assert_eq!(c.links[0].releasers, [1]);
        assert_eq!(c.links[0].next, Some(1));
        assert_eq!(c.root.kind, RootKind::NeverStarted);
        assert_eq!(c.root.threads, [1]);
        assert_eq!(
            c.root.text,
            "producer was never started, so main waits forever; see line 2"
        );
    }
}

/// main puts into `Queue(1)` twice (lines 2 and 3); nothing reads it.
const NO_TAKER: &str = r#"{
  "id": "no-taker", "title": {"en": "no taker", "ko": "no taker"},
  "source": ["q = Queue(1)", "q.put(object())", "q.put(object())"],
  "queues": [{"name": "q", "kind": "queue", "maxsize": 1}],
  "threads": [
    {"name": "main", "program": [
      {"op": "put", "queue": 0, "value": "new_item", "line": 2},
      {"op": "put", "queue": 0, "value": "new_item", "line": 3}]}
  ]
}"#;

/// main gets from `q` at line 2; `producer` would put into it, but nothing starts it.
const NEVER_STARTED: &str = r#"{
  "id": "never-started", "title": {"en": "never started", "ko": "never started"},
  "source": ["q = Queue()", "q.get()", "    q.put(object())"],
  "queues": [{"name": "q", "kind": "queue"}],
  "threads": [
    {"name": "main", "program": [{"op": "get", "queue": 0, "line": 2}]},
    {"name": "producer", "program": [
      {"op": "put", "queue": 0, "value": "new_item", "line": 3}]}
  ]
}"#;

/// `consumer` waits in `q.get()` at line 2; no program puts into `q`; main joins it at line 4.
const NO_PUTTER: &str = r#"{
  "id": "no-putter", "title": {"en": "no putter", "ko": "no putter"},
  "source": ["q = Queue()", "    q.get()", "thread.start()", "thread.join()"],
  "queues": [{"name": "q", "kind": "queue"}],
  "threads": [
    {"name": "main", "program": [
      {"op": "start", "thread": 1, "line": 3},
      {"op": "join_thread", "thread": 1, "line": 4}]},
    {"name": "consumer", "program": [{"op": "get", "queue": 0, "line": 2}]}
  ]
}"#;

/// As NO_PUTTER, but main would put into `q` at line 5, after joining the consumer at line 4.
const JOIN_BEFORE_PUT: &str = r#"{
  "id": "join-before-put", "title": {"en": "join first", "ko": "join first"},
  "source": ["q = Queue()", "    q.get()", "thread.start()", "thread.join()", "q.put(object())"],
  "queues": [{"name": "q", "kind": "queue"}],
  "threads": [
    {"name": "main", "program": [
      {"op": "start", "thread": 1, "line": 3},
      {"op": "join_thread", "thread": 1, "line": 4},
      {"op": "put", "queue": 0, "value": "new_item", "line": 5}]},
    {"name": "consumer", "program": [{"op": "get", "queue": 0, "line": 2}]}
  ]
}"#;

fn scenario(json: &str) -> Scenario {
    Scenario::from_json(json).expect("a valid scenario")
}

/// The same hung program gives the same chain on the model engine and on real threads.
#[test]
fn both_engines_draw_the_same_chain_for_each_failure_preset() {
    for id in ["f1", "f2", "f4"] {
        for lang in [Lang::En, Lang::Ko] {
            let m = chain_of(&model, preset(id).unwrap(), lang);
            let l = chain_of(&live, preset(id).unwrap(), lang);
            assert_eq!(outline(&m), outline(&l), "{id} {lang:?}");
            if id != "f1" {
                assert_eq!(m, l, "{id} {lang:?}: every word alike");
            }
        }
    }
}

/// `pipeline-lab run --preset F` prints the chain, a numbered line a waiting thread, and the
/// root cause with its line, in the chosen language; the JSON line carries it too.
#[test]
fn the_command_line_prints_the_chain_and_its_root_cause() {
    let cases = [
        (
            "f1",
            "no SENTINEL was ever put into download_queue",
            "센티넬이 들어가지 않았습니다",
        ),
        (
            "f2",
            "in_queue.task_done() was never called for 1 item",
            "task_done()이 호출되지 않았습니다",
        ),
        (
            "f4",
            "in_queue and out_queue are full and wait on each other",
            "가득 차서 서로를 기다립니다",
        ),
    ];
    for (id, en, ko) in cases {
        let (code, out, _) = cli(&["run", "--preset", id, "--quiet"]);
        assert_eq!(code, 3, "{id}");
        let lines: Vec<&str> = out.lines().collect();
        let at = lines
            .iter()
            .position(|l| *l == "-- wait-for chain:")
            .unwrap_or_else(|| panic!("{id}: no chain in\n{out}"));
        assert!(lines[at + 1].starts_with("   1. main waits in "), "{out}");
        let root = lines.last().unwrap();
        assert!(
            root.starts_with(&format!("   => root cause: {en}")),
            "{out}"
        );
        assert!(root.contains("line "), "{out}");
        let (_, out, _) = cli(&["run", "--preset", id, "--quiet", "--lang", "ko"]);
        assert!(out.contains("-- 대기 사슬:\n   1. main 스레드가 "), "{out}");
        assert!(
            out.lines().last().unwrap().starts_with("   => 근본 원인: "),
            "{out}"
        );
        assert!(out.contains(ko), "{out}");
        let (_, out, _) = cli(&["run", "--preset", id, "--quiet", "--json"]);
        let json: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        assert!(json["hang"]["chain"]["root"]["text"]
            .as_str()
            .unwrap()
            .starts_with(en));
    }
    let (_, out, _) = cli(&["run", "--preset", "f3", "--quiet"]);
    assert!(!out.contains("wait-for chain"), "{out}");
}
