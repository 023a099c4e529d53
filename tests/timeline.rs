//! A recorded run agrees with the engine at every instant: each thread's spans tile the run
//! without gaps or overlaps and match the frame's thread states; each item's hop pairs a `put`
//! with the `get` that took it; the Chrome trace made from it follows the trace event format.

use pipeline_lab::scenario::{preset, presets, PipelineSpec, Rng};
use pipeline_lab::sim::Sim;
use pipeline_lab::stats::ThreadState;
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
