//! A recorded run agrees with the engine at every instant: each thread's spans tile the run
//! without gaps or overlaps and match the frame's thread states; each item's hop pairs a `put`
//! with the `get` that took it; the Chrome trace made from it follows the trace event format;
//! one item's journey made from it adds up exactly to the item's latency, done or in flight.

use pipeline_lab::engine::{Engine, EngineError};
use pipeline_lab::journey::{ItemStatus, Journey};
use pipeline_lab::scenario::{
    preset, presets, Arrival, PipelineSpec, Rng, Scenario, ScenarioError,
};
use pipeline_lab::sim::Sim;
use pipeline_lab::stats::{Status, ThreadState};
use pipeline_lab::timeline::Timeline;
use std::collections::HashMap;

#[test]
fn spans_tile_each_threads_life_without_gaps_or_overlaps() {
    for p in presets() {
        let tl = Timeline::record(preset(p.id).unwrap()).unwrap();
        for (t, spans) in tl.spans.iter().enumerate() {
            for s in spans {
                assert!(
                    s.start_us < s.end_us,
                    "{} {}: empty span",
                    p.id,
                    tl.threads[t]
                );
            }
            for w in spans.windows(2) {
                assert_eq!(
                    w[0].end_us, w[1].start_us,
                    "{} {}: gap",
                    p.id, tl.threads[t]
                );
                assert_ne!(
                    (w[0].state, w[0].line),
                    (w[1].state, w[1].line),
                    "{}: two spans that should be one",
                    p.id
                );
            }
            if let Some(last) = spans.last() {
                assert_eq!(last.end_us, tl.end_us, "{} {}", p.id, tl.threads[t]);
            }
        }
    }
}

#[test]
fn spans_match_the_frames_thread_states_at_random_instants() {
    let mut rng = Rng::new(16);
    for id in ["p1", "p3", "p4", "p6", "f1", "f3", "f4"] {
        let tl = Timeline::record(preset(id).unwrap()).unwrap();
        if tl.end_us == 0 {
            continue;
        }
        for _ in 0..25 {
            let at = rng.below(tl.end_us);
            let mut sim = Sim::new(preset(id).unwrap()).unwrap();
            sim.seek(at);
            let frame = sim.frame();
            for (t, spans) in tl.spans.iter().enumerate() {
                let span = spans.iter().find(|s| s.start_us <= at && at < s.end_us);
                let recorded = span.map(|s| s.state as u8);
                let state = frame.thread_state.get(t).copied();
                // Before its first span a thread has not started.
                let expected = recorded.unwrap_or(ThreadState::NotStarted as u8);
                assert_eq!(state, Some(expected), "{id} thread {t} at {at} us");
            }
        }
    }
}

#[test]
fn every_hop_pairs_a_put_with_the_get_that_took_the_item() {
    let tl = Timeline::record(preset("p6").unwrap()).unwrap();
    let mut per_queue: HashMap<&str, usize> = HashMap::new();
    for h in &tl.hops {
        assert!(h.got_us >= h.put_us);
        assert_ne!(h.put_by, h.got_by, "a thread does not pass to itself here");
        *per_queue.entry(tl.queues[h.queue].as_str()).or_default() += 1;
    }
    for q in ["download_queue", "resize_queue", "upload_queue"] {
        assert_eq!(per_queue.get(q), Some(&1000), "{q}: {per_queue:?}");
    }
    assert!(
        !per_queue.contains_key("done_queue"),
        "nobody takes from done_queue"
    );
}

#[test]
fn the_chrome_trace_follows_the_trace_event_format() {
    let spec = PipelineSpec::tandem([2, 3, 2], 4, 200, 9);
    let scenario = spec.build().unwrap();
    let tl = Timeline::record(scenario.clone()).unwrap();
    let trace = tl.to_chrome_trace(&scenario);
    let text = serde_json::to_string(&trace).unwrap();
    let back: serde_json::Value = serde_json::from_str(&text).unwrap();
    let events = back["traceEvents"].as_array().unwrap();
    let (mut starts, mut finishes) = (HashMap::new(), HashMap::new());
    let mut slices_per_thread: HashMap<u64, Vec<(u64, u64)>> = HashMap::new();
    for e in events {
        let ph = e["ph"].as_str().expect("every event has a phase");
        assert!(e["pid"].is_u64(), "{e}");
        match ph {
            "M" => assert!(e["args"]["name"].is_string() || e["args"]["sort_index"].is_u64()),
            "X" => {
                let (ts, dur) = (e["ts"].as_u64().unwrap(), e["dur"].as_u64().unwrap());
                assert!(dur > 0, "{e}");
                assert!(e["name"].is_string() && e["tid"].is_u64());
                slices_per_thread
                    .entry(e["tid"].as_u64().unwrap())
                    .or_default()
                    .push((ts, ts + dur));
            }
            "C" => assert!(e["args"].is_object() && e["ts"].is_u64()),
            "s" => assert!(starts
                .insert(e["id"].as_u64().unwrap(), e["ts"].as_u64())
                .is_none()),
            "f" => {
                assert_eq!(e["bp"], "e");
                assert!(finishes
                    .insert(e["id"].as_u64().unwrap(), e["ts"].as_u64())
                    .is_none());
            }
            other => panic!("unexpected phase {other}"),
        }
    }
    // Slices on one thread never overlap; every flow has both ends.
    for (tid, mut slices) in slices_per_thread {
        slices.sort();
        for w in slices.windows(2) {
            assert!(w[0].1 <= w[1].0, "thread {tid} overlaps: {w:?}");
        }
    }
    assert_eq!(starts.len(), finishes.len());
    assert_eq!(
        starts.len(),
        3 * 200,
        "every item through three taken-from queues"
    );
    for (id, s) in &starts {
        assert!(finishes[id] >= *s);
    }
}

/// The parts of a journey add up to its latency, leg by leg and in total.
fn assert_parts_sum(j: &Journey, what: &str) {
    let parts: u64 = j
        .legs
        .iter()
        .map(|l| l.wait_us + l.service_us + l.blocked_put_us)
        .sum();
    assert_eq!(parts, j.latency_us, "{what}: {j:#?}");
    assert_eq!(
        j.wait_us + j.service_us + j.blocked_put_us,
        j.latency_us,
        "{what}"
    );
    if let (Some(born), Some(first)) = (j.born_us, j.legs.first()) {
        assert_eq!(
            first.put_us, born,
            "{what}: the journey starts where the item was made"
        );
    }
    for w in j.legs.windows(2) {
        assert_eq!(w[0].until_us, w[1].put_us, "{what}: legs follow each other");
    }
}

/// Every item of a recorded run: parts sum to latency, and the done items' latencies are the
/// engine's own (their sum and maximum equal the engine's exact ones).
fn check_every_item(scenario: &Scenario, what: &str) -> u64 {
    let tl = Timeline::record(scenario.clone()).unwrap();
    let mut sim = Sim::new(scenario.clone()).unwrap();
    sim.run_to_end();
    let latency = sim.stats().latency;
    let (mut sum, mut max, mut done) = (0u128, 0u64, 0u64);
    for item in 0..scenario.items as u32 {
        let j = Journey::of(&tl, scenario, item, tl.end_us).unwrap();
        assert_parts_sum(&j, &format!("{what} item {item}"));
        if j.status == ItemStatus::Done {
            assert_eq!(j.end_us.unwrap() - j.born_us.unwrap(), j.latency_us);
            assert!(!j.legs.is_empty(), "{what} item {item}: done without a hop");
            sum += j.latency_us as u128;
            max = max.max(j.latency_us);
            done += 1;
        }
    }
    let blocked: u64 = (0..scenario.items as u32)
        .map(|i| {
            Journey::of(&tl, scenario, i, tl.end_us)
                .unwrap()
                .blocked_put_us
        })
        .sum();
    if scenario.done_queue.is_some() {
        // (Without a done queue the engine counts a `get` as done; with one queue it is the same.)
        assert_eq!(done, latency.count, "{what}: items done");
    }
    if done > 0 && done == latency.count {
        assert_eq!(max, latency.max_us, "{what}: the slowest item");
        let mean = sum as f64 / done as f64;
        assert!(
            (mean - latency.mean_us).abs() <= 1e-6 * latency.mean_us.max(1.0),
            "{what}: mean latency {mean} against the engine's {}",
            latency.mean_us
        );
    }
    blocked
}

#[test]
fn a_journeys_parts_sum_exactly_to_the_items_latency_for_every_preset() {
    for p in presets() {
        let scenario = preset(p.id).unwrap();
        if scenario.items == 0 {
            continue;
        }
        check_every_item(&scenario, p.id);
    }
}

#[test]
fn a_journeys_parts_sum_exactly_to_the_items_latency_for_random_pipelines() {
    let mut rng = Rng::new(0x10_0e4);
    let mut blocked = 0;
    for round in 0..12 {
        let stages = 1 + rng.below(3) as usize;
        let mut spec = PipelineSpec::tandem([1, 1, 1], 1, 1, 0);
        spec.workers = (0..stages).map(|_| 1 + rng.below(4) as u32).collect();
        spec.maxsize = (0..stages).map(|_| rng.below(4) as u32).collect();
        spec.service.truncate(stages);
        spec.items = 1 + rng.below(300);
        spec.seed = rng.below(1000);
        if rng.below(2) == 0 {
            spec.arrival = Arrival::Rate {
                per_s: 200.0 + rng.below(2000) as f64,
            };
        }
        let scenario = spec.build().unwrap();
        blocked += check_every_item(&scenario, &format!("random pipeline {round} {spec:?}"));
    }
    assert!(
        blocked > 0,
        "bounded queues made some worker wait in put() with its item"
    );
}

#[test]
fn an_item_in_flight_has_a_partial_journey_that_grows() {
    let scenario = PipelineSpec::tandem([1, 2, 1], 2, 60, 7).build().unwrap();
    let full = Timeline::record(scenario.clone()).unwrap();
    let item = 30;
    let whole = Journey::of(&full, &scenario, item, full.end_us).unwrap();
    assert_eq!(whole.status, ItemStatus::Done);
    let (born, end) = (whole.born_us.unwrap(), whole.end_us.unwrap());
    let mut engine = Engine::model(scenario.clone()).unwrap();
    let mut last: Option<Journey> = None;
    let mut seen_in_flight = 0;
    for k in 1..=8 {
        let at = born + (end - born) * k / 9;
        engine.seek(at).unwrap();
        let j = engine.journey(item).unwrap();
        assert_eq!(j.status, ItemStatus::InFlight, "at {at}");
        assert_eq!(j.latency_us, engine.now() - born);
        assert_parts_sum(&j, &format!("in flight at {at}"));
        // The replayed present agrees with the whole recording clipped there.
        assert_eq!(
            j,
            Journey::of(&full, &scenario, item, engine.now()).unwrap()
        );
        if let Some(before) = &last {
            assert!(j.latency_us > before.latency_us, "it grows");
            assert!(j.legs.len() >= before.legs.len());
            let settled = before.legs.len() - 1;
            assert_eq!(
                j.legs[..settled],
                before.legs[..settled],
                "the past stays put"
            );
            assert_eq!(j.legs[settled].put_us, before.legs[settled].put_us);
        }
        last = Some(j);
        seen_in_flight += 1;
    }
    assert_eq!(seen_in_flight, 8);
    engine.run_to_end();
    let finished = engine.journey(item).unwrap();
    assert_eq!(finished.latency_us, whole.latency_us);
    assert_eq!(
        finished.legs, whole.legs,
        "a finished item's journey is replayed the same"
    );
}

#[test]
fn a_journey_compares_the_item_with_the_runs_p50_and_p95() {
    let scenario = PipelineSpec::tandem([2, 3, 2], 4, 200, 9).build().unwrap();
    let tl = Timeline::record(scenario.clone()).unwrap();
    let mut latencies: Vec<u64> = (0..200)
        .map(|i| {
            Journey::of(&tl, &scenario, i, tl.end_us)
                .unwrap()
                .latency_us
        })
        .collect();
    latencies.sort_unstable();
    let j = Journey::of(&tl, &scenario, 0, tl.end_us).unwrap();
    assert_eq!(j.done_items, 200);
    assert_eq!(j.p50_us, Some(latencies[99]));
    assert_eq!(j.p95_us, Some(latencies[189]));
    let below = latencies.iter().filter(|&&l| l < j.latency_us).count();
    assert_eq!(j.slower_than, Some(below as f64 / 200.0));
    // Each stage's worker is named, and the wait is in the stage's input queue.
    for leg in &j.legs {
        assert!(
            leg.got_by_name
                .as_deref()
                .unwrap()
                .contains(leg.stage_name.as_deref().unwrap()),
            "{leg:?}"
        );
    }
    assert_eq!(j.legs.len(), 3, "download, resize, upload");
}

#[test]
fn a_journey_names_a_bad_item_and_real_threads_refuse_it() {
    let scenario = preset("p6").unwrap();
    let tl = Timeline::record(scenario.clone()).unwrap();
    match Journey::of(&tl, &scenario, 5000, tl.end_us) {
        Err(ScenarioError::OutOfRange { field, .. }) => assert_eq!(field, "item"),
        other => panic!("expected an error naming the item, got {other:?}"),
    }
    let mut spec = PipelineSpec::tandem([1, 1, 1], 2, 40, 3);
    spec.arrival = Arrival::Rate { per_s: 1000.0 };
    let paced = spec.build().unwrap();
    let paced_tl = Timeline::record(paced.clone()).unwrap();
    let before = Journey::of(&paced_tl, &paced, 39, 0).unwrap();
    assert_eq!(before.status, ItemStatus::NotMade);
    assert!(before.legs.is_empty() && before.latency_us == 0);
    let mut live = Engine::live(scenario, pipeline_lab::live::LiveOptions::default()).unwrap();
    assert!(matches!(
        live.journey(0),
        Err(EngineError::ModelOnly { what: "journey" })
    ));
    live.run_to_end();
    assert_ne!(live.status(), Status::Running);
}

#[test]
fn a_queues_longest_in_the_timeline_is_the_queue_tables_max_len() {
    for p in presets() {
        let tl = Timeline::record(preset(p.id).unwrap()).unwrap();
        let mut sim = Sim::new(preset(p.id).unwrap()).unwrap();
        sim.run_to_end();
        let table: Vec<u64> = sim.stats().queues.iter().map(|q| q.max_len).collect();
        assert_eq!(tl.max_lens, table, "{}", p.id);
        // The steps keep an instant's last length: never more than the longest.
        for (q, steps) in tl.lengths.iter().enumerate() {
            let most = steps.iter().map(|&(_, n)| u64::from(n)).max().unwrap_or(0);
            assert!(most <= tl.max_lens[q], "{} queue {q}", p.id);
        }
    }
    // P6 puts its 1,000 items and its three SENTINELs at t = 0, while three workers take
    // three items: 1,003 at once, 1,000 when the instant ends.
    let tl = Timeline::record(preset("p6").unwrap()).unwrap();
    assert_eq!(tl.max_lens[0], 1_003);
}
