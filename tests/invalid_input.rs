//! Bad input never panics: builder values out of range, malformed or inconsistent scenario
//! JSON, and refused changes all come back as a typed error that names the field.

use pipeline_lab::scenario::{
    preset, presets, Arrival, PipelineSpec, Rng, Scenario, ScenarioError, Service,
};
use pipeline_lab::sim::Sim;
use pipeline_lab::stats::Status;

fn field_of(result: Result<Scenario, ScenarioError>) -> String {
    let e = result.expect_err("must be refused");
    e.field().unwrap_or("").to_string()
}

#[test]
fn builder_values_out_of_range_name_their_field_and_range() {
    let ok = PipelineSpec::tandem([3, 4, 5], 10, 1000, 1);
    assert!(ok.build().is_ok());
    let cases: Vec<(PipelineSpec, &str)> = vec![
        (
            PipelineSpec {
                workers: vec![],
                ..ok.clone()
            },
            "stages",
        ),
        (
            PipelineSpec {
                workers: vec![1; 7],
                ..ok.clone()
            },
            "stages",
        ),
        (
            PipelineSpec {
                workers: vec![3, 0, 5],
                ..ok.clone()
            },
            "workers[1]",
        ),
        (
            PipelineSpec {
                workers: vec![3, 4, 33],
                ..ok.clone()
            },
            "workers[2]",
        ),
        (
            PipelineSpec {
                maxsize: vec![10, 1001, 10],
                ..ok.clone()
            },
            "maxsize[1]",
        ),
        (
            PipelineSpec {
                maxsize: vec![10],
                ..ok.clone()
            },
            "maxsize",
        ),
        (
            PipelineSpec {
                service: vec![Service::Const { us: 1 }],
                ..ok.clone()
            },
            "service",
        ),
        (
            PipelineSpec {
                service: vec![
                    Service::Exp { mean_us: 1 },
                    Service::Uniform { lo_us: 5, hi_us: 1 },
                    Service::Exp { mean_us: 1 },
                ],
                ..ok.clone()
            },
            "service[1]",
        ),
        (
            PipelineSpec {
                items: 0,
                ..ok.clone()
            },
            "items",
        ),
        (
            PipelineSpec {
                items: 10_000_001,
                ..ok.clone()
            },
            "items",
        ),
        (
            PipelineSpec {
                arrival: Arrival::Rate { per_s: 0.0 },
                ..ok.clone()
            },
            "arrival.rate",
        ),
        (
            PipelineSpec {
                arrival: Arrival::Rate { per_s: f64::NAN },
                ..ok.clone()
            },
            "arrival.rate",
        ),
        (
            PipelineSpec {
                memory_budget_bytes: Some(0),
                ..ok.clone()
            },
            "memory_budget",
        ),
    ];
    for (spec, field) in cases {
        let e = spec.build().expect_err(field);
        assert_eq!(e.field(), Some(field), "{e}");
        assert!(e.to_string().starts_with(field), "{e}");
    }
    let e = PipelineSpec {
        workers: vec![3, 40, 5],
        ..ok
    }
    .build()
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "workers[1]: 40 is out of range (allowed: 1..=32)"
    );
}

#[test]
fn malformed_scenario_json_is_a_json_error() {
    for text in ["", "{", "[]", "{\"id\": 3}", "null", "{\"queues\": \"x\"}"] {
        match Scenario::from_json(text) {
            Err(ScenarioError::Json { .. }) => {}
            other => panic!("{text:?}: {other:?}"),
        }
    }
}

#[test]
fn scenario_references_out_of_range_are_refused_by_field() {
    let mut s = preset("p6").unwrap();
    s.threads[1].program[0].kind = pipeline_lab::scenario::OpKind::Get { queue: 9 };
    assert_eq!(
        field_of(Scenario::from_json(&s.to_json())),
        "threads[1].program[0].queue"
    );

    let mut s = preset("p2").unwrap();
    s.threads[0].program[0].kind = pipeline_lab::scenario::OpKind::Jump { target: 99 };
    assert_eq!(
        field_of(Scenario::from_json(&s.to_json())),
        "threads[0].program[0].target"
    );

    let mut s = preset("p2").unwrap();
    s.queues[0].maxsize = 2_000_000;
    assert_eq!(
        field_of(Scenario::from_json(&s.to_json())),
        "queues[0].maxsize"
    );

    let mut s = preset("p1").unwrap();
    s.queues[0].maxsize = 3;
    assert_eq!(
        field_of(Scenario::from_json(&s.to_json())),
        "queues[0].maxsize"
    );

    let mut s = preset("p5").unwrap();
    s.threads[0].program[0].kind = pipeline_lab::scenario::OpKind::Start { thread: 0 };
    assert_eq!(
        field_of(Scenario::from_json(&s.to_json())),
        "threads[0].program[0].thread"
    );

    let mut s = preset("p2").unwrap();
    s.threads.clear();
    assert_eq!(field_of(Scenario::from_json(&s.to_json())), "threads");
}

/// Random byte edits of every preset's JSON: each is either refused or runs; none panics.
#[test]
fn mangled_scenario_json_never_panics() {
    let mut rng = Rng::new(5);
    let originals: Vec<String> = presets()
        .iter()
        .map(|p| preset(p.id).unwrap().to_json())
        .collect();
    let digits = b"0123456789";
    for _ in 0..1500 {
        let mut bytes = originals[rng.below(originals.len() as u64) as usize]
            .clone()
            .into_bytes();
        for _ in 0..1 + rng.below(4) {
            let i = rng.below(bytes.len() as u64) as usize;
            if bytes[i].is_ascii_digit() {
                bytes[i] = digits[rng.below(10) as usize];
            } else if rng.below(4) == 0 {
                bytes[i] = b"{}[],:\"x"[rng.below(8) as usize];
            }
        }
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        if let Ok(s) = Scenario::from_json(&text) {
            let mut sim = Sim::new(s).unwrap();
            // Bounded: a mangled program may loop forever with time passing.
            sim.step_bounded(10_000_000_000, 200_000);
        }
    }
}

#[test]
fn changes_while_running_are_checked() {
    let mut sim = Sim::new(preset("p6").unwrap()).unwrap();
    sim.step(1000);
    assert_eq!(
        sim.set_workers(1, 0).unwrap_err().field(),
        Some("stages[1].workers")
    );
    assert_eq!(
        sim.set_workers(1, 33).unwrap_err().field(),
        Some("stages[1].workers")
    );
    assert!(sim
        .set_workers(7, 3)
        .unwrap_err()
        .to_string()
        .starts_with("stage: 7"));
    assert_eq!(
        sim.set_maxsize(0, 1001).unwrap_err().field(),
        Some("queues[0].maxsize")
    );
    sim.set_workers(1, 8).unwrap();
    sim.set_maxsize(1, 3).unwrap();
    assert_eq!(sim.run_to_end(), Status::Finished);
    assert!(sim.set_workers(1, 2).is_err(), "the run has ended");

    let mut p1 = Sim::new(preset("p1").unwrap()).unwrap();
    assert!(p1
        .set_maxsize(0, 5)
        .unwrap_err()
        .to_string()
        .contains("no maxsize"));

    // Once main's `for _ in threads:` has counted a stage's workers, they are fixed.
    let mut p6 = Sim::new(preset("p6").unwrap()).unwrap();
    while p6.stats().queues[0].puts < 1001 {
        p6.step_event();
    }
    assert!(p6
        .set_workers(0, 2)
        .unwrap_err()
        .to_string()
        .contains("shutting down"));

    // P5 closes each queue once: another worker would never get its SENTINEL.
    let mut p5 = Sim::new(preset("p5").unwrap()).unwrap();
    p5.step(1000);
    let e = p5.set_workers(1, 2).unwrap_err();
    assert_eq!(e.field(), Some("stages[1].workers"));
    assert!(e.to_string().contains("fixed number of SENTINELs"), "{e}");
}

#[test]
fn workers_added_to_a_program_that_starts_threads_one_by_one_start_at_once() {
    // P1 starts its polling workers with thread.start(); an added worker must run too.
    let mut p1 = Sim::new(preset("p1").unwrap()).unwrap();
    p1.step(1);
    p1.set_workers(1, 3).unwrap();
    assert_eq!(p1.run_to_end(), Status::Finished);
    let stats = p1.stats();
    let resize: Vec<_> = stats
        .threads
        .iter()
        .filter(|t| t.stage == Some(1))
        .collect();
    assert_eq!(resize.len(), 3);
    assert!(
        resize.iter().all(|t| t.polled_count > 0),
        "every resize worker polled"
    );
    assert_eq!(stats.items_done, 1000);
}
