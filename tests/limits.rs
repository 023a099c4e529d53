//! One source of limits: the pipeline builder, scenario validation and both engines' controls
//! accept exactly what `pipeline_lab::limits` says, so a value the page offers is never refused
//! by one part and accepted by another.

use pipeline_lab::limits::{self, MAX_MAXSIZE, MAX_STAGES, MAX_WORKERS};
use pipeline_lab::live::{ClockMode, Live, LiveOptions};
use pipeline_lab::scenario::{PipelineSpec, Scenario};
use pipeline_lab::sim::Sim;

fn tandem(workers: u32, maxsize: u32) -> PipelineSpec {
    PipelineSpec::tandem([workers, 1, 1], maxsize, 100, 1)
}

fn built(workers: u32, maxsize: u32) -> Scenario {
    tandem(workers, maxsize).build().unwrap()
}

#[test]
fn the_builder_accepts_each_limit_and_refuses_one_more() {
    assert!(tandem(MAX_WORKERS, MAX_MAXSIZE).build().is_ok());
    assert!(tandem(MAX_WORKERS + 1, 1).build().is_err());
    assert!(tandem(1, MAX_MAXSIZE + 1).build().is_err());
    let mut spec = tandem(1, 1);
    spec.workers = vec![1; MAX_STAGES];
    spec.maxsize = vec![1; MAX_STAGES];
    spec.service = vec![spec.service[0]; MAX_STAGES];
    assert!(spec.build().is_ok());
    spec.workers.push(1);
    spec.maxsize.push(1);
    spec.service.push(spec.service[0]);
    assert!(spec.build().is_err());
    let mut big = tandem(1, 1);
    big.memory_budget_bytes = Some(limits::MAX_MEMORY_BUDGET_BYTES);
    assert!(big.build().is_ok());
    big.memory_budget_bytes = Some(limits::MAX_MEMORY_BUDGET_BYTES + 1);
    assert!(big.build().is_err());
}

/// A bound a scenario may start with can be set again while it runs, and no more.
#[test]
fn maxsize_has_one_bound_at_start_and_while_running() {
    let mut scenario = built(1, 1);
    scenario.queues[0].maxsize = MAX_MAXSIZE;
    assert!(scenario.validate().is_ok());
    scenario.queues[0].maxsize = MAX_MAXSIZE + 1;
    assert_eq!(
        scenario.validate().unwrap_err().field(),
        Some("queues[0].maxsize")
    );

    let mut sim = Sim::new(built(1, 1)).unwrap();
    sim.step(1);
    assert!(sim.set_maxsize(0, MAX_MAXSIZE).is_ok());
    assert!(sim.set_maxsize(0, MAX_MAXSIZE + 1).is_err());

    let live = Live::new(built(1, 1), LiveOptions::with_clock(ClockMode::Stepped)).unwrap();
    assert!(live.set_maxsize(0, MAX_MAXSIZE).is_ok());
    assert!(live.set_maxsize(0, MAX_MAXSIZE + 1).is_err());
    live.stop();
}

#[test]
fn both_engines_let_a_stage_grow_to_the_builders_most_workers_and_no_further() {
    let mut sim = Sim::new(built(2, 10)).unwrap();
    sim.step(1);
    assert!(sim.set_workers(0, MAX_WORKERS).is_ok());
    assert!(sim.set_workers(0, MAX_WORKERS + 1).is_err());

    let live = Live::new(built(2, 10), LiveOptions::with_clock(ClockMode::Stepped)).unwrap();
    assert_eq!(live.options().max_workers, MAX_WORKERS);
    assert!(live.set_workers(0, MAX_WORKERS + 1).is_err());
    live.stop();
}

#[test]
fn the_page_reads_the_same_numbers() {
    let l = limits::limits();
    assert_eq!(l.workers_per_stage, MAX_WORKERS);
    assert_eq!(l.maxsize, MAX_MAXSIZE);
    assert_eq!(l.stages as usize, MAX_STAGES);
}
