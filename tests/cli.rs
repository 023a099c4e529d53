//! The command line: what `presets` and `run` print, the JSON line, and the exit statuses
//! (0 finished, 3 hang or MemoryError, 2 bad input with a one-line message).

mod common;
use common::cli;

#[test]
fn presets_lists_every_id() {
    let (code, out, _) = cli(&["presets"]);
    assert_eq!(code, 0);
    let ids: Vec<&str> = out
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["p1", "p2", "p3", "p4", "p5", "p6", "f1", "f2", "f3", "f4"]
    );
}

#[test]
fn run_preset_prints_the_console_in_either_language() {
    let (code, out, _) = cli(&["run", "--preset", "p3"]);
    assert_eq!(code, 0);
    assert!(out.starts_with(
        "producer 1\nconsumer 1\nproducer 2\nproducer done\nconsumer 2\nconsumer done\n"
    ));
    let (code, out, _) = cli(&["run", "--preset", "p2", "--lang", "ko", "--quiet", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 1, "quiet prints only the JSON line");
    let json: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(json["console"][0], "소비자 대기");
}

#[test]
fn json_line_carries_the_final_stats() {
    let (code, out, _) = cli(&[
        "run",
        "--workers",
        "3,4,5",
        "--maxsize",
        "10",
        "--service",
        "exp:1ms,exp:1.5ms,exp:0.8ms",
        "--items",
        "20000",
        "--seed",
        "1",
        "--json",
    ]);
    assert_eq!(code, 0);
    let last = out.lines().last().unwrap();
    let json: serde_json::Value = serde_json::from_str(last).unwrap();
    assert_eq!(json["items_done"], 20000);
    assert!(json["virtual_time_us"].as_u64().unwrap() > 0);
    let rate = json["throughput_per_s"].as_f64().unwrap();
    assert!(rate > 2000.0 && rate < 2700.0, "{rate}");
    assert!(json["hang"].is_null());
    assert_eq!(out.lines().next().unwrap(), "20000 items processed");
}

#[test]
fn hang_and_memory_error_exit_3_with_the_report() {
    for (id, kind) in [
        ("f1", "\"worker_never_ends\""),
        ("f2", "\"join_never_returns\""),
        ("f4", "\"deadlock\""),
    ] {
        let (code, out, _) = cli(&["run", "--preset", id, "--json"]);
        assert_eq!(code, 3, "{id}");
        let json: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
        assert_eq!(json["hang"]["kind"].to_string(), kind);
    }
    let (code, out, _) = cli(&["run", "--preset", "f3"]);
    assert_eq!(code, 3);
    assert!(out.contains("MemoryError"));
    let (code, _, _) = cli(&[
        "run",
        "--workers",
        "1",
        "--service",
        "exp:10ms",
        "--items",
        "5000",
        "--arrival",
        "rate:1000/s",
        "--memory-budget",
        "100000000",
    ]);
    assert_eq!(
        code, 3,
        "an unbounded queue before a slow stage runs out of memory"
    );
}

#[test]
fn invalid_input_exits_2_with_one_line_naming_the_problem() {
    let cases: [(&[&str], &str); 13] = [
        (&["run", "--workers", "3,40"], "workers[1]"),
        (
            &["run", "--workers", "3", "--maxsize", "5000"],
            "maxsize[0]",
        ),
        (
            &["run", "--workers", "3,3", "--maxsize", "1,2,3"],
            "--maxsize",
        ),
        (
            &["run", "--workers", "3", "--service", "exp:1"],
            "--service",
        ),
        (&["run", "--workers", "3", "--arrival", "fast"], "--arrival"),
        (&["run", "--preset", "nope"], "preset"),
        (&["run", "--scenario", "/no/such/file.json"], "--scenario"),
        (&["run", "--preset", "p1", "--lang", "fr"], "--lang"),
        (&["frobnicate"], "unrecognized subcommand 'frobnicate'"),
        (&["run", "--preset", "p1", "--bogus"], "'--bogus'"),
        (
            &["run", "--preset", "p1", "--preset", "p2"],
            "multiple times",
        ),
        (&["run", "--preset", "p1", "extra"], "'extra'"),
        (&[], "a command is missing"),
    ];
    for (args, needle) in cases {
        let (code, out, err) = cli(args);
        assert_eq!(code, 2, "{args:?}");
        assert!(out.is_empty(), "{args:?}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(err.starts_with("pipeline-lab: "), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    }
}

#[test]
fn help_is_there_for_every_command_and_exits_0() {
    for args in [&["--help"][..], &["run", "--help"], &["presets", "--help"]] {
        let (code, out, err) = cli(args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(out.contains("Usage: pipeline-lab"), "{args:?}: {out}");
    }
    let (_, out, _) = cli(&["run", "--help"]);
    for flag in [
        "--preset",
        "--workers",
        "--maxsize",
        "--engine",
        "--clock",
        "--json",
    ] {
        assert!(out.contains(flag), "{flag} in run --help");
    }
}

#[test]
fn run_scenario_file_round_trips_a_preset() {
    let path = std::env::temp_dir().join(format!("pipeline-lab-p4-{}.json", std::process::id()));
    let json = pipeline_lab::scenario::preset("p4").unwrap().to_json();
    std::fs::write(&path, json).unwrap();
    let (code, out, _) = cli(&["run", "--scenario", path.to_str().unwrap()]);
    std::fs::write(&path, "{ not json").unwrap();
    let (bad, _, err) = cli(&["run", "--scenario", path.to_str().unwrap()]);
    std::fs::remove_file(&path).ok();
    assert_eq!(code, 0);
    assert!(out.contains("consumer working\nconsumer done\nproducer done"));
    assert_eq!(bad, 2);
    assert!(err.contains("scenario JSON"), "{err}");
}

#[test]
fn engine_live_runs_presets_on_real_threads_with_the_same_exit_statuses() {
    let (code, out, _) = cli(&["run", "--preset", "p6", "--engine", "live", "--json"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("1000 items processed\n"), "{out}");
    let stats: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(stats["items_done"], 1000);
    assert!(stats["hang"].is_null());
    let (code, out, _) = cli(&["run", "--preset", "f4", "--engine", "live", "--quiet"]);
    assert_eq!(code, 3);
    assert!(out.contains("hang (Deadlock)"), "{out}");
    let (code, out, _) = cli(&[
        "run",
        "--workers",
        "3,4,5",
        "--service",
        "const:1ms",
        "--items",
        "20000",
        "--engine",
        "live",
        "--clock",
        "free",
        "--quiet",
        "--json",
    ]);
    assert_eq!(code, 0);
    let stats: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(stats["items_done"], 20000);
}

#[test]
fn a_clock_without_the_live_engine_or_an_unknown_clock_is_bad_input() {
    let (code, _, err) = cli(&["run", "--preset", "p6", "--clock", "free"]);
    assert_eq!(code, 2);
    assert!(err.contains("--clock goes with --engine live"), "{err}");
    let (code, _, err) = cli(&[
        "run", "--preset", "p6", "--engine", "live", "--clock", "fast",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("'fast' for '--clock"), "{err}");
}

#[test]
fn sweep_prints_a_row_a_value_and_csv_a_row_a_run() {
    let args = [
        "sweep",
        "--workers",
        "1,2",
        "--service",
        "const:1ms",
        "--items",
        "200",
        "--param",
        "workers:1",
        "--values",
        "1..3",
        "--reps",
        "2",
    ];
    let (code, out, err) = cli(&args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 4, "{out}");
    assert!(out.contains("<- knee"), "{out}");
    let mut csv = args.to_vec();
    csv.push("--csv");
    let (code, out, _) = cli(&csv);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 7, "a header and 3 x 2 runs: {out}");
    let (code, _, err) = cli(&[
        "sweep",
        "--workers",
        "1",
        "--param",
        "speed",
        "--values",
        "1",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--param"), "{err}");
    let (code, _, err) = cli(&[
        "sweep",
        "--workers",
        "1",
        "--param",
        "workers:0",
        "--values",
        "5..1",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--values"), "{err}");
}

#[test]
fn trace_writes_a_chrome_trace_of_the_same_run() {
    let path = std::env::temp_dir().join(format!("pipeline-lab-trace-{}.json", std::process::id()));
    let (code, out, err) = cli(&["run", "--preset", "p4", "--trace", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("consumer working"));
    let trace: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    std::fs::remove_file(&path).ok();
    let events = trace["traceEvents"].as_array().unwrap();
    let names: Vec<&str> = events
        .iter()
        .filter(|e| e["ph"] == "M" && e["name"] == "thread_name")
        .map(|e| e["args"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["main", "consumer"]);
    assert!(events
        .iter()
        .any(|e| e["ph"] == "X" && e["name"].as_str().unwrap().starts_with("working")));
    let (code, _, err) = cli(&[
        "run", "--preset", "p4", "--engine", "live", "--trace", "x.json",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--trace records the model engine"), "{err}");
}
