//! 2-D sweeps (workers of one stage x `maxsize`): every cell equals the single run with those
//! values and seed, the results do not depend on the threads, and the CLI prints, CSVs and JSONs them.

mod common;
use common::cli;
use pipeline_lab::engine::Engine;
use pipeline_lab::scenario::PipelineSpec;
use pipeline_lab::sweep::{Param, Sweep};

fn grid_sweep(workers: Vec<f64>, maxsize: Vec<f64>, reps: u32) -> Sweep {
    Sweep::new(
        PipelineSpec::tandem([2, 1, 2], 10, 300, 7),
        Param::Workers { stage: 1 },
        workers,
        reps,
    )
    .grid(Param::Maxsize { stage: Some(1) }, maxsize)
}

#[test]
fn every_cell_equals_the_single_run_with_its_values_and_seed() {
    let sweep = grid_sweep(vec![1.0, 3.0], vec![1.0, 4.0, 0.0], 2);
    let result = sweep.run_all().unwrap();
    assert_eq!(result.points.len(), 6);
    assert_eq!(result.runs.len(), 12);
    let grid = result.grid.as_ref().unwrap();
    assert_eq!(grid.rows, [1.0, 3.0]);
    assert_eq!(grid.columns, [1.0, 4.0, 0.0]);
    for r in &result.runs {
        // Row-major: point = row x columns + column.
        assert_eq!(result.points[r.point].value, r.value);
        assert_eq!(result.points[r.point].value2, r.value2);
        let mut spec = PipelineSpec::tandem([2, r.value as u32, 2], 10, 300, 7);
        spec.maxsize[1] = r.value2.unwrap() as u32;
        // Common random numbers: replication r of every cell has seed base + r.
        assert_eq!(r.seed, 7 + r.rep as u64);
        spec.seed = r.seed;
        let mut alone = Engine::model(spec.build().unwrap()).unwrap();
        alone.run_to_end();
        let stats = alone.stats();
        assert_eq!(Some(r.throughput_per_s), stats.throughput_per_s, "{r:?}");
        assert_eq!(r.latency_p50_us, stats.latency.p50_us);
        assert_eq!(r.latency_p95_us, stats.latency.p95_us);
        assert_eq!(r.virtual_time_us, stats.virtual_time_us);
        assert_eq!(r.items_done, 300);
    }
    // A cell's summary is the mean of its own runs, and the cells differ.
    let cell = &result.points[5];
    let mine: Vec<f64> = result
        .runs
        .iter()
        .filter(|r| r.point == 5)
        .map(|r| r.throughput_per_s)
        .collect();
    assert_eq!(cell.throughput_per_s.mean, (mine[0] + mine[1]) / 2.0);
    assert!(result.points[0].throughput_per_s.mean < result.points[5].throughput_per_s.mean);
}

#[test]
fn a_grid_is_the_same_on_one_and_on_two_threads() {
    let sweep = grid_sweep(vec![1.0, 2.0, 4.0], vec![1.0, 2.0, 8.0], 2);
    let serial = sweep.run_all().unwrap();
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let parallel = pool.install(|| sweep.run_parallel(|_, _| {})).unwrap();
        assert_eq!(parallel, serial, "{threads} threads");
    }
}

#[test]
fn a_grid_that_sets_one_field_twice_or_lacks_values_is_refused_by_name() {
    let twice = Sweep::new(
        PipelineSpec::tandem([1, 1, 1], 10, 100, 1),
        Param::Maxsize { stage: None },
        vec![1.0],
        1,
    )
    .grid(Param::Maxsize { stage: Some(0) }, vec![2.0]);
    let err = twice.jobs().unwrap_err().to_string();
    assert!(err.contains("sweep.param2"), "{err}");
    let empty = grid_sweep(vec![1.0], vec![], 1).jobs().unwrap_err();
    assert!(empty.to_string().contains("sweep"), "{empty}");
    let big = grid_sweep(vec![1.0; 400], vec![1.0; 400], 1)
        .jobs()
        .unwrap_err();
    assert!(big.to_string().contains("sweep.runs"), "{big}");
    let bad = grid_sweep(vec![1.0], vec![1.5], 1).jobs().unwrap_err();
    assert!(bad.to_string().contains("maxsize"), "{bad}");
}

#[test]
fn a_one_dimensional_sweep_reads_and_writes_as_before() {
    // A 1-D sweep's object (the page's, and every one made before grids) has no 2-D fields,
    // and reads back as a 1-D sweep.
    let v = serde_json::to_value(Sweep::new(
        PipelineSpec::tandem([1, 1, 1], 10, 50, 1),
        Param::Workers { stage: 0 },
        vec![1.0, 2.0],
        1,
    ))
    .unwrap();
    assert!(
        v.get("param2").is_none() && v.get("values2").is_none(),
        "{v}"
    );
    let sweep: Sweep = serde_json::from_value(v).unwrap();
    assert_eq!(sweep.param2, None);
    let result = sweep.run_all().unwrap();
    let json = serde_json::to_value(&result).unwrap();
    assert!(json.get("grid").is_none() && json.get("param2").is_none());
    assert!(json["runs"][0].get("value2").is_none());
    assert!(result.to_csv().starts_with("workers_stage_0,rep,"));
}

const GRID: [&str; 14] = [
    "sweep",
    "--workers",
    "2,1,2",
    "--items",
    "200",
    "--param",
    "workers:1",
    "--values",
    "1..3",
    "--param2",
    "maxsize:1",
    "--values2",
    "1,4",
    "--reps=2",
];

#[test]
fn the_cli_prints_a_grid_and_csv_json_hold_every_cell() {
    let (code, out, err) = cli(&GRID);
    assert_eq!(code, 0, "{err}");
    // Two tables (throughput, p95) of a header and three rows, a blank line and the key.
    assert!(
        out.starts_with("items/s (workers:1 down, maxsize:1 across)"),
        "{out}"
    );
    assert!(
        out.contains("p95 ms (workers:1 down, maxsize:1 across)"),
        "{out}"
    );
    // A throughput still rising at the range's top adds a line saying there is no knee.
    let no_knee = usize::from(out.contains("no knee within the range"));
    assert_eq!(
        out.lines().count(),
        1 + 4 + 1 + 1 + 4 + 1 + no_knee,
        "{out}"
    );
    let mut csv = GRID.to_vec();
    csv.push("--csv");
    let (code, out, _) = cli(&csv);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("workers_stage_1,maxsize_stage_1,rep,seed,status"));
    assert_eq!(lines.len(), 1 + 3 * 2 * 2, "{out}");
    assert!(lines[1].starts_with("1,1,0,1,finished"), "{}", lines[1]);
    let mut json = GRID.to_vec();
    json.push("--json");
    let (code, out, _) = cli(&json);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["param2"], "maxsize:1");
    assert_eq!(v["grid"]["rows"], serde_json::json!([1.0, 2.0, 3.0]));
    assert_eq!(v["points"].as_array().unwrap().len(), 6);
    assert_eq!(v["points"][3]["value"], 2.0);
    assert_eq!(v["points"][3]["value2"], 4.0);
    // One thread or every core: the same bytes.
    let mut one = json.clone();
    one.push("--threads=1");
    assert_eq!(cli(&one).1, out);
    let (code, _, err) = cli(&[
        "sweep",
        "--workers",
        "1",
        "--param",
        "workers:0",
        "--values",
        "1",
        "--param2",
        "maxsize",
        "--values2",
        "4..1",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--values2"), "{err}");
}
