//! The command line: list presets, run a preset, a scenario file or a builder pipeline headless,
//! and print the console and the final stats. Exit 0 finished, 3 hang or MemoryError, 2 bad input.

use clap::{Args, Parser, Subcommand};
use pipeline_lab::cli::{one_line, EngineArgs, PipelineArgs, PipelineDefaults};
use pipeline_lab::engine::{Engine, EngineKind};
use pipeline_lab::live::LiveOptions;
use pipeline_lab::scenario::{preset, presets, Lang, Scenario, ScenarioError, Service};
use pipeline_lab::stats::{Stats, Status};
use pipeline_lab::timeline::Timeline;
use std::process::ExitCode;

/// Effective Python's Item 55 pipeline (download -> resize -> upload over queues), run headless.
#[derive(Parser)]
#[command(name = "pipeline-lab", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the presets (the note's programs p1..p6 and the failure modes f1..f4).
    Presets,
    /// Run a preset, a scenario file or a pipeline of your own; print its console and stats.
    Run(RunArgs),
    /// Run a pipeline over a range of one parameter (or a grid of two), a few seeds each, on
    /// every core (model engine); print each value's summary, or every run as JSON or CSV.
    Sweep(SweepArgs),
}

#[derive(Args)]
struct SweepArgs {
    #[command(flatten)]
    pipeline: PipelineArgs,
    /// The parameter: maxsize (every stage's), maxsize:S, workers:S, service:S (mean, in us),
    /// rate (items/s from a Poisson source) or items; stages count from 0.
    #[arg(long)]
    param: String,
    /// The values: a list (1,2,4,8), a range (1..16, both ends included) or a range with a
    /// step (10..100:10).
    #[arg(long)]
    values: String,
    /// A second parameter, for a 2-D sweep (every value of --param with every value of
    /// --param2: a grid, printed as a table of throughput and of p95 latency). The same names
    /// as --param; it must not set what --param sets.
    #[arg(long, requires = "values2")]
    param2: Option<String>,
    /// The second parameter's values, written as --values.
    #[arg(long, requires = "param2")]
    values2: Option<String>,
    /// Replications (seeds) a value: seed, seed+1, ...
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    reps: u32,
    /// The first replication's seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Threads to run on (default: every core).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    threads: Option<u32>,
    /// Every run and each value's summary as one line of JSON.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// One CSV row a run.
    #[arg(long)]
    csv: bool,
}

#[derive(Args)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["preset", "scenario", "workers"]))]
struct RunArgs {
    /// A preset's id (see `pipeline-lab presets`).
    #[arg(long)]
    preset: Option<String>,
    /// A scenario as a JSON file.
    #[arg(long, value_name = "FILE.json")]
    scenario: Option<String>,
    #[command(flatten)]
    pipeline: PipelineArgs,
    /// The seed of the service times and arrivals (a pipeline's default: 1).
    #[arg(long)]
    seed: Option<u64>,
    /// The console's language: en, or ko (the original note's words).
    #[arg(long, default_value = "en", value_parser = parse_lang)]
    lang: Lang,
    /// Print no console lines, only the stats.
    #[arg(long)]
    quiet: bool,
    /// Print the final stats as one line of JSON.
    #[arg(long)]
    json: bool,
    /// Also write the run as a Chrome/Perfetto trace (JSON): a track a thread, a counter a
    /// queue, a flow arrow a hop of an item. Opens in ui.perfetto.dev and chrome://tracing.
    #[arg(long, value_name = "FILE.json")]
    trace: Option<String>,
    #[command(flatten)]
    engine: EngineArgs,
}

fn parse_lang(text: &str) -> Result<Lang, String> {
    Lang::parse(text).ok_or_else(|| format!("`{text}` is not en or ko"))
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            eprintln!("pipeline-lab: a command is missing: presets or run (see --help)");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("pipeline-lab: {}", one_line(&e));
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Presets => {
            for p in presets() {
                println!("{:<4} {}  ({})", p.id, p.title.en, p.summary.en);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Run(args) => run(&args),
        Command::Sweep(args) => sweep(&args),
    };
    result.unwrap_or_else(|message| {
        eprintln!("pipeline-lab: {message}");
        ExitCode::from(2)
    })
}

impl RunArgs {
    fn scenario(&self) -> Result<Scenario, String> {
        if self.pipeline.workers.is_none() && self.pipeline.has_pipeline_options() {
            return Err(
                "--maxsize, --service, --items, --arrival and --memory-budget go with --workers"
                    .into(),
            );
        }
        let mut scenario = if let Some(id) = &self.preset {
            preset(id).ok_or_else(|| ScenarioError::UnknownPreset { id: id.clone() }.to_string())?
        } else if let Some(path) = &self.scenario {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("--scenario {path}: {e}"))?;
            Scenario::from_json(&text).map_err(|e| format!("{path}: {e}"))?
        } else {
            let defaults = PipelineDefaults {
                maxsize: 0,
                service: Service::parse("exp:1ms").expect("a valid service"),
                items: 1000,
            };
            let spec = self.pipeline.spec(&defaults, self.seed.unwrap_or(1))?;
            return spec.build().map_err(|e| e.to_string());
        };
        if let Some(seed) = self.seed {
            scenario.seed = seed;
        }
        Ok(scenario)
    }

    fn engine(&self, scenario: Scenario) -> Result<Engine, String> {
        let clock = self.engine.clock()?;
        let engine = match self.engine.kind() {
            EngineKind::Model => Engine::model(scenario),
            EngineKind::Live => Engine::live(scenario, LiveOptions::with_clock(clock)),
        };
        Ok(engine.map_err(|e| e.to_string())?.with_lang(self.lang))
    }
}

fn run(args: &RunArgs) -> Result<ExitCode, String> {
    let scenario = args.scenario()?;
    if let Some(path) = &args.trace {
        write_trace(args, &scenario, path)?;
    }
    let mut engine = args.engine(scenario)?;
    // Print console lines as they appear, a slice of the run at a time.
    let mut printed = 0;
    while engine.run_slice() == Status::Running {
        printed = print_console(&engine.console_lines(), printed, args.quiet);
    }
    print_console(&engine.console_lines(), printed, args.quiet);
    let stats = engine.stats();
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&stats).map_err(|e| e.to_string())?
        );
    } else {
        summarize(&stats, args.lang);
    }
    Ok(match stats.status {
        Status::Finished => ExitCode::SUCCESS,
        _ => ExitCode::from(3),
    })
}

/// Records the run on the model engine (the same run the command prints: it is deterministic)
/// and writes its trace.
fn write_trace(args: &RunArgs, scenario: &Scenario, path: &str) -> Result<(), String> {
    if args.engine.kind() != EngineKind::Model {
        return Err("--trace records the model engine (real threads cannot replay a run)".into());
    }
    let timeline = Timeline::record(scenario.clone()).map_err(|e| e.to_string())?;
    let trace = timeline.to_chrome_trace(scenario);
    let text = serde_json::to_string(&trace).map_err(|e| e.to_string())?;
    std::fs::write(path, text).map_err(|e| format!("--trace {path}: {e}"))
}

/// `1,2,4`, `1..16` or `10..100:10` as numbers (`flag` names them in an error).
fn parse_values(flag: &str, text: &str) -> Result<Vec<f64>, String> {
    let number = |t: &str| {
        t.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("{flag}: `{t}` is not a number"))
    };
    let Some((from, rest)) = text.split_once("..") else {
        return text.split(',').map(number).collect();
    };
    let (to, step) = match rest.split_once(':') {
        Some((to, step)) => (number(to)?, number(step)?),
        None => (number(rest)?, 1.0),
    };
    let from = number(from)?;
    if step <= 0.0 || to < from {
        return Err(format!("{flag}: `{text}` is not a range that goes up"));
    }
    let count = ((to - from) / step).floor() as usize + 1;
    if count > pipeline_lab::sweep::MAX_RUNS {
        return Err(format!("{flag}: `{text}` has {count} values"));
    }
    Ok((0..count).map(|i| from + i as f64 * step).collect())
}

fn sweep(args: &SweepArgs) -> Result<ExitCode, String> {
    use pipeline_lab::sweep::{Param, Sweep};
    use std::io::{IsTerminal, Write};
    if args.pipeline.workers.is_none() {
        return Err("sweep needs --workers (the pipeline to vary)".into());
    }
    let defaults = PipelineDefaults {
        maxsize: 0,
        service: Service::parse("exp:1ms").expect("a valid service"),
        items: 1000,
    };
    let mut sweep = Sweep::new(
        args.pipeline.spec(&defaults, args.seed)?,
        Param::parse(&args.param).map_err(|e| format!("--param: {e}"))?,
        parse_values("--values", &args.values)?,
        args.reps,
    );
    if let (Some(param2), Some(values2)) = (&args.param2, &args.values2) {
        sweep = sweep.grid(
            Param::parse(param2).map_err(|e| format!("--param2: {e}"))?,
            parse_values("--values2", values2)?,
        );
    }
    sweep.base.validate().map_err(|e| e.to_string())?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0) as usize)
        .build()
        .map_err(|e| e.to_string())?;
    // A progress line on stderr, only where someone watches it.
    let show = std::io::stderr().is_terminal();
    let progress = |done: usize, total: usize| {
        if show && (done == total || done.is_multiple_of(8)) {
            eprint!("\rsweep: {done}/{total} runs");
            let _ = std::io::stderr().flush();
        }
    };
    let result = pool
        .install(|| sweep.run_parallel(progress))
        .map_err(|e| e.to_string())?;
    if show {
        eprintln!();
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&result).map_err(|e| e.to_string())?
        );
    } else if args.csv {
        print!("{}", result.to_csv());
    } else if let Some(grid) = &result.grid {
        print_grid(&result, grid);
    } else {
        println!(
            "{:>12} {:>5} {:>14} {:>12} {:>12} {:>10}",
            result.param, "runs", "items/s", "p50 ms", "p95 ms", "busiest"
        );
        for (i, p) in result.points.iter().enumerate() {
            println!(
                "{:>12} {:>5} {:>14.1} {:>12.3} {:>12.3} {:>9.0}%{}{}",
                p.value,
                p.runs,
                p.throughput_per_s.mean,
                p.latency_p50_us.mean / 1000.0,
                p.latency_p95_us.mean / 1000.0,
                p.utilization_max.mean * 100.0,
                if result.knee == Some(i) {
                    "  <- knee"
                } else if result.rising == Some(i) {
                    "  <- still rising: no knee within the range"
                } else {
                    ""
                },
                if p.failed > 0 {
                    format!("  ({} did not finish)", p.failed)
                } else {
                    String::new()
                }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A 2-D sweep as two tables, rows the values of --param and columns those of --param2: mean
/// throughput, then mean p95 latency; the knee's cell is starred.
fn print_grid(result: &pipeline_lab::sweep::SweepResult, grid: &pipeline_lab::sweep::Grid) {
    let param2 = result.param2.as_deref().unwrap_or("");
    type Figure = fn(&pipeline_lab::sweep::PointSummary) -> f64;
    let tables: [(&str, Figure, usize); 2] = [
        ("items/s", |p| p.throughput_per_s.mean, 1),
        ("p95 ms", |p| p.latency_p95_us.mean / 1000.0, 3),
    ];
    for (n, (title, figure, digits)) in tables.iter().enumerate() {
        if n > 0 {
            println!();
        }
        println!("{title} ({} down, {param2} across)", result.param);
        let corner = format!("{}\\{param2}", result.param);
        let width = corner.len().max(12);
        print!("{corner:>width$}");
        for c in &grid.columns {
            print!(" {c:>11}");
        }
        println!();
        for (r, row) in grid.rows.iter().enumerate() {
            print!("{row:>width$}");
            for c in 0..grid.columns.len() {
                let i = r * grid.columns.len() + c;
                let p = &result.points[i];
                let star = if result.knee == Some(i) { "*" } else { " " };
                let failed = if p.failed > 0 { "!" } else { " " };
                print!(" {:>9.*}{star}{failed}", *digits, figure(p));
            }
            println!();
        }
    }
    println!(
        "* the knee: the first cell within 5% of the best throughput; ! some runs did not finish"
    );
    if result.rising.is_some() {
        println!("no knee within the range: that first cell is at the top of a parameter's range");
    }
}

fn print_console(lines: &[String], from: usize, quiet: bool) -> usize {
    if !quiet {
        for l in &lines[from.min(lines.len())..] {
            println!("{l}");
        }
    }
    lines.len()
}

fn summarize(s: &Stats, lang: Lang) {
    let secs = s.virtual_time_us as f64 / 1e6;
    // A rate over no elapsed time is undefined: a dash, not 0.0.
    let rate = s
        .throughput_per_s
        .map_or("— (no time has passed)".to_string(), |r| {
            format!("{r:.1}")
        });
    println!(
        "-- {:?} at {secs:.3} s virtual: {}/{} items done, {rate} items/s",
        s.status, s.items_done, s.items_total
    );
    if let Some(b) = s.bottleneck {
        let st = &s.stages[b];
        println!(
            "-- bottleneck: {} ({:.0}% busy, {} workers)",
            st.name,
            st.utilization * 100.0,
            st.workers
        );
    }
    if s.polls > 0 {
        println!("-- polls: {} ({} found nothing)", s.polls, s.wasted_polls);
    }
    if !s.lingering.is_empty() {
        println!(
            "-- still running (they never end): {}",
            s.lingering.join(", ")
        );
    }
    if let Some(h) = &s.hang {
        println!("-- hang ({:?}): {}", h.kind, h.message);
        if let Some(chain) = &h.chain {
            print_chain(chain, lang);
        }
    }
    if let Some(m) = &s.memory_error {
        println!("-- {}", m.message);
    }
}

/// The wait-for chain: one line a waiting thread, from main to the root cause.
fn print_chain(chain: &pipeline_lab::stats::HangChain, lang: Lang) {
    let (title, cause) = match lang {
        Lang::En => ("-- wait-for chain:", "root cause"),
        Lang::Ko => ("-- 대기 사슬:", "근본 원인"),
    };
    println!("{title}");
    for (i, link) in chain.links.iter().enumerate() {
        println!("   {}. {}", i + 1, link.text);
    }
    println!("   => {cause}: {}", chain.root.text);
}
