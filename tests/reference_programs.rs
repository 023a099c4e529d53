//! What only the model engine promises about the note's programs: P1's exact poll count, the
//! Python lines every preset marks, and a raise at its own line. What both engines promise is in
//! tests/engines.rs.

use pipeline_lab::scenario::{preset, presets, Lang, Scenario};
use pipeline_lab::sim::Sim;
use pipeline_lab::stats::Status;

fn run(id: &str, lang: Lang) -> Sim {
    let mut sim = Sim::new(preset(id).expect("preset exists")).expect("preset is valid");
    sim.set_lang(lang);
    sim.run_to_end();
    sim
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

/// The Korean note's programs print Korean words: in Korean the source shows what its console
/// prints, line for line, and the English source is left as it is.
#[test]
fn the_korean_source_prints_what_the_korean_console_shows() {
    use pipeline_lab::scenario::OpKind;
    for id in ["p2", "p3", "p4"] {
        let scenario = preset(id).unwrap();
        let ko = scenario.source_in(Lang::Ko);
        assert_eq!(scenario.source_in(Lang::En), scenario.source);
        let mut prints = 0;
        for op in scenario.threads.iter().flat_map(|t| &t.program) {
            if let OpKind::Print { text, .. } = op.kind {
                let text = &scenario.texts[text as usize];
                let line = &ko[op.line as usize - 1];
                assert!(line.contains(&format!("'{}'", text.ko)), "{id}: {line}");
                assert!(!line.contains(&text.en), "{id}: {line}");
                prints += 1;
            }
        }
        assert!(prints >= 4, "{id}: {prints} prints");
    }
}

/// The Korean note's comments are Korean: in Korean no program's source keeps an English
/// comment in prose, and only comments (and `print` words) change: the code, and so every
/// line number, stays.
#[test]
fn the_korean_source_has_the_korean_notes_comments() {
    for info in presets() {
        let scenario = preset(info.id).unwrap();
        let ko = scenario.source_in(Lang::Ko);
        assert_eq!(ko.len(), scenario.source.len(), "{}", info.id);
        for (en, ko) in scenario.source.iter().zip(&ko) {
            let code = |l: &str| l.split("# ").next().unwrap_or("").to_string();
            if !en.contains("print(") {
                assert_eq!(code(en), code(ko), "{}: only comments change", info.id);
            }
            if let Some(at) = ko.rfind("# ") {
                let comment = &ko[at + 2..];
                assert!(
                    !comment.chars().any(|c| c.is_ascii_alphabetic())
                        || comment.contains('_')
                        || comment.contains("SENTINEL")
                        || comment.contains("MiB")
                        || comment.contains("get()")
                        || comment.contains("put()"),
                    "{}: an English comment in Korean: {ko}",
                    info.id
                );
            }
        }
    }
    let p3 = preset("p3").unwrap().source_in(Lang::Ko);
    assert!(
        p3.iter().any(|l| l.ends_with("# 첫 번째로 실행됨")),
        "{p3:?}"
    );
}
