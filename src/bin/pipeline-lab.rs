//! The command line: list presets, run a preset, a scenario file or a builder pipeline headless,
//! and print the console and the final stats. Exit 0 finished, 3 hang or MemoryError, 2 bad input.

use clap::{Args, Parser, Subcommand};
use pipeline_lab::cli::{one_line, EngineArgs, PipelineArgs, PipelineDefaults};
use pipeline_lab::engine::{Engine, EngineKind};
use pipeline_lab::live::LiveOptions;
use pipeline_lab::scenario::{preset, presets, Lang, Scenario, ScenarioError, Service};
use pipeline_lab::stats::{Stats, Status};
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
    let mut engine = args.engine(args.scenario()?)?;
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
        summarize(&stats);
    }
    Ok(match stats.status {
        Status::Finished => ExitCode::SUCCESS,
        _ => ExitCode::from(3),
    })
}

fn print_console(lines: &[String], from: usize, quiet: bool) -> usize {
    if !quiet {
        for l in &lines[from.min(lines.len())..] {
            println!("{l}");
        }
    }
    lines.len()
}

fn summarize(s: &Stats) {
    let secs = s.virtual_time_us as f64 / 1e6;
    println!(
        "-- {:?} at {secs:.3} s virtual: {}/{} items done, {:.1} items/s",
        s.status, s.items_done, s.items_total, s.throughput_per_s
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
    }
    if let Some(m) = &s.memory_error {
        println!("-- {}", m.message);
    }
}
