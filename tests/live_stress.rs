//! Many random builder pipelines on real threads with the free clock: every item arrives
//! exactly once and no run hangs.

use pipeline_lab::live::{ClockMode, Live, LiveOptions};
use pipeline_lab::scenario::{Arrival, PipelineSpec, Rng, Service};
use pipeline_lab::stats::Status;
use std::time::Duration;

const PATIENCE: Duration = Duration::from_secs(120);

#[test]
fn random_pipelines_deliver_every_item_exactly_once() {
    let mut rng = Rng::new(0x5eed);
    for case in 0..40 {
        let stages = 1 + rng.below(6) as usize;
        // A few big ones; the rest small, so that many shapes fit in the time.
        let items = if case % 13 == 5 {
            100_000
        } else {
            1 + rng.below(3000)
        };
        let spec = PipelineSpec {
            workers: (0..stages).map(|_| 1 + rng.below(32) as u32).collect(),
            maxsize: (0..stages).map(|_| 1 + rng.below(100) as u32).collect(),
            service: vec![Service::Const { us: 0 }; stages],
            items,
            arrival: Arrival::AllAtOnce,
            seed: case,
            memory_budget_bytes: None,
            item_bytes: 1,
        };
        let what = format!(
            "case {case}: {:?} x {:?}, {items} items",
            spec.workers, spec.maxsize
        );
        let run = Live::new(
            spec.build().unwrap(),
            LiveOptions::with_clock(ClockMode::Free).keeping_done_items(),
        )
        .unwrap();
        assert_eq!(run.wait_for(PATIENCE), Status::Finished, "{what}");
        assert!(run.hang().is_none(), "{what}");
        assert_eq!(run.items_done(), items, "{what}");
        let mut ids = run.queue_item_ids(stages);
        ids.sort_unstable();
        assert!(
            ids.iter().copied().eq(0..items),
            "{what}: lost or doubled items"
        );
        let stats = run.stats();
        assert!(
            stats.queues[..stages]
                .iter()
                .all(|q| q.unfinished_tasks == 0 && q.len == 0),
            "{what}: a queue was left with work"
        );
        assert_eq!(
            stats.console,
            [format!("{items} items processed")],
            "{what}"
        );
    }
}
