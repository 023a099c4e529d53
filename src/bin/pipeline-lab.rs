//! The command line: list presets, run a preset, a scenario file or a builder pipeline headless,
//! and print the console and the final stats. Exit 0 finished, 3 hang or MemoryError, 2 bad input.

use pipeline_lab::live::{ClockMode, Live, LiveOptions};
use pipeline_lab::scenario::{
    preset, presets, Arrival, Lang, PipelineSpec, Scenario, ScenarioError, Service,
};
use pipeline_lab::sim::Sim;
use pipeline_lab::stats::{Stats, Status};
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "usage:
  pipeline-lab presets
  pipeline-lab run (--preset ID | --scenario FILE.json | --workers N,N,.. [--maxsize N[,N..]]
                    [--service DIST,..] [--items N] [--arrival all|rate:N/s] [--memory-budget BYTES])
                   [--seed N] [--lang en|ko] [--quiet] [--json]
                   [--engine model|live] [--clock virtual|free|wall]
service forms: const:20ms  uniform:10ms..30ms  exp:1ms  (units us, ms, s)
--engine live runs every thread of the program on a real thread; its --clock: virtual (default:
time jumps to the next deadline when every thread waits), free (durations skipped: raw
throughput), wall (durations slept for real).";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("pipeline-lab: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    match args.first().map(String::as_str) {
        Some("presets") => {
            for p in presets() {
                println!("{:<4} {}  ({})", p.id, p.title.en, p.summary.en);
            }
            Ok(ExitCode::SUCCESS)
        }
        Some("run") => run_scenario(&Options::parse(&args[1..])?),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        Some(other) => Err(format!("unknown command `{other}`\n{USAGE}")),
        None => Err(USAGE.to_string()),
    }
}

#[derive(Default)]
struct Options {
    preset: Option<String>,
    scenario: Option<String>,
    workers: Option<String>,
    maxsize: Option<String>,
    service: Option<String>,
    items: Option<String>,
    arrival: Option<String>,
    memory_budget: Option<String>,
    seed: Option<String>,
    lang: Lang,
    quiet: bool,
    json: bool,
    live: bool,
    clock: Option<ClockMode>,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options, String> {
        let mut o = Options::default();
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let mut value = || {
                it.next()
                    .cloned()
                    .ok_or_else(|| format!("{flag} needs a value"))
            };
            match flag.as_str() {
                "--preset" => o.preset = Some(value()?),
                "--scenario" => o.scenario = Some(value()?),
                "--workers" => o.workers = Some(value()?),
                "--maxsize" => o.maxsize = Some(value()?),
                "--service" => o.service = Some(value()?),
                "--items" => o.items = Some(value()?),
                "--arrival" => o.arrival = Some(value()?),
                "--memory-budget" => o.memory_budget = Some(value()?),
                "--seed" => o.seed = Some(value()?),
                "--lang" => {
                    let v = value()?;
                    o.lang =
                        Lang::parse(&v).ok_or_else(|| format!("--lang: `{v}` is not en or ko"))?;
                }
                "--engine" => match value()?.as_str() {
                    "model" => o.live = false,
                    "live" => o.live = true,
                    v => return Err(format!("--engine: `{v}` is not model or live")),
                },
                "--clock" => {
                    o.clock = Some(match value()?.as_str() {
                        "virtual" => ClockMode::Virtual,
                        "free" => ClockMode::Free,
                        "wall" => ClockMode::Wall,
                        v => return Err(format!("--clock: `{v}` is not virtual, free or wall")),
                    })
                }
                "--quiet" => o.quiet = true,
                "--json" => o.json = true,
                other => return Err(format!("unknown option `{other}`\n{USAGE}")),
            }
        }
        let sources = [
            o.preset.is_some(),
            o.scenario.is_some(),
            o.workers.is_some(),
        ];
        if sources.iter().filter(|&&b| b).count() != 1 {
            return Err("run needs exactly one of --preset, --scenario or --workers".into());
        }
        if o.clock.is_some() && !o.live {
            return Err(
                "--clock goes with --engine live (the model engine has virtual time)".into(),
            );
        }
        if o.workers.is_none()
            && [
                &o.maxsize,
                &o.service,
                &o.items,
                &o.arrival,
                &o.memory_budget,
            ]
            .iter()
            .any(|v| v.is_some())
        {
            return Err(
                "--maxsize, --service, --items, --arrival and --memory-budget go with --workers"
                    .into(),
            );
        }
        Ok(o)
    }

    fn scenario(&self) -> Result<Scenario, String> {
        let seed = self
            .seed
            .as_deref()
            .map(|s| parse_number::<u64>("--seed", s))
            .transpose()?;
        let mut scenario = if let Some(id) = &self.preset {
            preset(id).ok_or_else(|| ScenarioError::UnknownPreset { id: id.clone() }.to_string())?
        } else if let Some(path) = &self.scenario {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("--scenario {path}: {e}"))?;
            Scenario::from_json(&text).map_err(|e| format!("{path}: {e}"))?
        } else {
            return self.pipeline(seed.unwrap_or(1));
        };
        if let Some(seed) = seed {
            scenario.seed = seed;
        }
        Ok(scenario)
    }

    fn pipeline(&self, seed: u64) -> Result<Scenario, String> {
        let workers: Vec<u32> = list("--workers", self.workers.as_deref().unwrap_or(""))?;
        let n = workers.len();
        let per_stage =
            |flag: &str, text: Option<&str>, default: &str| -> Result<Vec<String>, String> {
                let parts: Vec<String> = text
                    .unwrap_or(default)
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .collect();
                match parts.len() {
                    1 => Ok(vec![parts[0].clone(); n]),
                    k if k == n => Ok(parts),
                    k => Err(format!(
                        "{flag}: {k} values for {n} stages (give one, or one per stage)"
                    )),
                }
            };
        let maxsize = per_stage("--maxsize", self.maxsize.as_deref(), "0")?
            .iter()
            .map(|m| parse_number::<u32>("--maxsize", m))
            .collect::<Result<Vec<_>, _>>()?;
        let service = per_stage("--service", self.service.as_deref(), "exp:1ms")?
            .iter()
            .map(|s| Service::parse(s).map_err(|e| format!("--service: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        let items = parse_number::<u64>("--items", self.items.as_deref().unwrap_or("1000"))?;
        let arrival = match self.arrival.as_deref().unwrap_or("all") {
            "all" => Arrival::AllAtOnce,
            a => {
                let rate = a
                    .strip_prefix("rate:")
                    .and_then(|r| r.strip_suffix("/s"))
                    .ok_or_else(|| format!("--arrival: `{a}` is not `all` or `rate:N/s`"))?;
                Arrival::Rate {
                    per_s: parse_number::<f64>("--arrival", rate)?,
                }
            }
        };
        let memory_budget_bytes = self
            .memory_budget
            .as_deref()
            .map(|m| parse_number::<u64>("--memory-budget", m))
            .transpose()?;
        let spec = PipelineSpec {
            workers,
            maxsize,
            service,
            items,
            arrival,
            seed,
            memory_budget_bytes,
            ..PipelineSpec::tandem([1, 1, 1], 0, 1, seed)
        };
        spec.build().map_err(|e| e.to_string())
    }
}

fn parse_number<T: std::str::FromStr>(flag: &str, text: &str) -> Result<T, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("{flag}: `{text}` is not a valid number"))
}

fn list<T: std::str::FromStr>(flag: &str, text: &str) -> Result<Vec<T>, String> {
    text.split(',').map(|p| parse_number(flag, p)).collect()
}

fn run_scenario(o: &Options) -> Result<ExitCode, String> {
    let scenario = o.scenario()?;
    let stats = if o.live {
        run_live(scenario, o)?
    } else {
        run_model(scenario, o)?
    };
    if o.json {
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

fn run_model(scenario: Scenario, o: &Options) -> Result<Stats, String> {
    let mut sim = Sim::new(scenario).map_err(|e| e.to_string())?;
    sim.set_lang(o.lang);
    // Print console lines as they appear, a virtual second at a time.
    let mut printed = 0;
    while sim.step(1_000_000) == Status::Running {
        printed = print_console(&sim.console_lines(), printed, o.quiet);
    }
    print_console(&sim.console_lines(), printed, o.quiet);
    Ok(sim.stats())
}

fn run_live(scenario: Scenario, o: &Options) -> Result<Stats, String> {
    let options = LiveOptions::with_clock(o.clock.unwrap_or_default());
    let mut live = Live::new(scenario, options).map_err(|e| e.to_string())?;
    live.set_lang(o.lang);
    // Print console lines as they appear, looking every 50 ms of wall time.
    let mut printed = 0;
    while live.wait_for(Duration::from_millis(50)) == Status::Running {
        printed = print_console(&live.console_lines(), printed, o.quiet);
    }
    print_console(&live.console_lines(), printed, o.quiet);
    Ok(live.stats())
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
