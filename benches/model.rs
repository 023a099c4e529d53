//! Model-engine benchmark: items simulated per wall second on DESIGN.md's tandem (3 stages,
//! exponential service 1.0/1.5/0.8 ms, buffer 10, saturated source), 1,1,1 and 3,4,5 workers.
//!
//! `cargo bench --bench model` (set `ITEMS` to change the size; `RUNS` for repetitions).

use pipeline_lab::scenario::PipelineSpec;
use pipeline_lab::sim::Sim;
use pipeline_lab::stats::Status;
use std::time::Instant;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let items = env("ITEMS", 1_000_000);
    let runs = env("RUNS", 5);
    for workers in [[1, 1, 1], [3, 4, 5]] {
        for buffer in [10, 1] {
            let scenario = PipelineSpec::tandem(workers, buffer, items, 1)
                .build()
                .expect("valid tandem");
            let mut rates = Vec::new();
            let mut sim_rate = 0.0;
            for _ in 0..runs {
                let mut sim = Sim::new(scenario.clone()).expect("valid");
                let t0 = Instant::now();
                let status = sim.run_to_end();
                let wall = t0.elapsed().as_secs_f64();
                assert_eq!(status, Status::Finished);
                let stats = sim.stats();
                assert_eq!(stats.items_done, items);
                sim_rate = stats.throughput_per_s;
                rates.push(items as f64 / wall);
            }
            rates.sort_by(|a, b| a.partial_cmp(b).unwrap());
            println!(
                "tandem workers={workers:?} buffer={buffer} items={items}: median {:.0} items/wall-s (min {:.0}, max {:.0}); simulated throughput {:.1} items/virtual-s",
                rates[rates.len() / 2],
                rates[0],
                rates[rates.len() - 1],
                sim_rate
            );
        }
    }
}
