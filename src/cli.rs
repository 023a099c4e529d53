//! The command line's options, defined once for `pipeline-lab` and the benches (clap, derive):
//! a pipeline from flags, the engine and its clock. Native only; it must not run anything.

use crate::engine::EngineKind;
use crate::live::ClockMode;
use crate::scenario::{Arrival, PipelineSpec, Service};
use clap::{Args, ValueEnum};

/// The engine flags: `--engine model|live` and, for the live engine, `--clock`.
#[derive(Args, Clone, Debug, Default)]
pub struct EngineArgs {
    /// model: deterministic, virtual time; live: every thread of the program on a real thread.
    #[arg(long, value_enum, default_value_t = EngineChoice::Model)]
    pub engine: EngineChoice,
    /// The live engine's clock: virtual (time jumps to the next deadline when every thread
    /// waits), free (durations skipped: raw throughput) or wall (durations slept for real).
    #[arg(long, value_enum)]
    pub clock: Option<ClockChoice>,
}

#[derive(ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EngineChoice {
    #[default]
    Model,
    Live,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockChoice {
    Virtual,
    Free,
    Wall,
}

impl EngineArgs {
    pub fn kind(&self) -> EngineKind {
        match self.engine {
            EngineChoice::Model => EngineKind::Model,
            EngineChoice::Live => EngineKind::Live,
        }
    }

    /// The live engine's clock (virtual by default); an error for `--clock` with the model
    /// engine, whose time is always virtual.
    pub fn clock(&self) -> Result<ClockMode, String> {
        match (self.engine, self.clock) {
            (EngineChoice::Model, Some(_)) => {
                Err("--clock goes with --engine live (the model engine has virtual time)".into())
            }
            (_, None | Some(ClockChoice::Virtual)) => Ok(ClockMode::Virtual),
            (_, Some(ClockChoice::Free)) => Ok(ClockMode::Free),
            (_, Some(ClockChoice::Wall)) => Ok(ClockMode::Wall),
        }
    }
}

/// A builder pipeline from flags (what the page's sliders make). Each caller gives its own
/// defaults for what is left out.
#[derive(Args, Clone, Debug, Default)]
pub struct PipelineArgs {
    /// Workers of each stage, comma-separated: one stage a number (3,4,5 is three stages).
    #[arg(long, value_delimiter = ',', value_name = "N,N,..")]
    pub workers: Option<Vec<u32>>,
    /// Each stage queue's maxsize (0: unbounded), one value for all or one a stage.
    #[arg(
        long,
        visible_alias = "buffer",
        value_delimiter = ',',
        value_name = "N[,N..]"
    )]
    pub maxsize: Option<Vec<u32>>,
    /// Service time of each stage: const:20ms, uniform:10ms..30ms or exp:1ms (units us, ms, s),
    /// one for all or one a stage.
    #[arg(long, value_delimiter = ',', value_name = "DIST,..")]
    pub service: Option<Vec<String>>,
    /// Items the source puts.
    #[arg(long)]
    pub items: Option<u64>,
    /// all (every item at once) or rate:N/s (a Poisson source).
    #[arg(long, value_name = "all|rate:N/s")]
    pub arrival: Option<String>,
    /// Memory budget in bytes: past it the program raises MemoryError.
    #[arg(long, value_name = "BYTES")]
    pub memory_budget: Option<u64>,
}

/// What a caller fills in where the flags leave something out.
#[derive(Clone, Debug)]
pub struct PipelineDefaults {
    pub maxsize: u32,
    pub service: Service,
    pub items: u64,
}

impl PipelineArgs {
    /// True when any flag that only makes sense with `--workers` was given.
    pub fn has_pipeline_options(&self) -> bool {
        self.maxsize.is_some()
            || self.service.is_some()
            || self.items.is_some()
            || self.arrival.is_some()
            || self.memory_budget.is_some()
    }

    /// The pipeline these flags describe (`--workers` required), before validation.
    pub fn spec(&self, defaults: &PipelineDefaults, seed: u64) -> Result<PipelineSpec, String> {
        let workers = self.workers.clone().ok_or("--workers is missing")?;
        let n = workers.len();
        let maxsize = per_stage(
            "--maxsize",
            self.maxsize.clone().unwrap_or(vec![defaults.maxsize]),
            n,
        )?;
        let service = match &self.service {
            None => vec![defaults.service; n],
            Some(texts) => per_stage(
                "--service",
                texts
                    .iter()
                    .map(|s| Service::parse(s).map_err(|e| format!("--service: {e}")))
                    .collect::<Result<Vec<_>, _>>()?,
                n,
            )?,
        };
        let arrival = match self.arrival.as_deref().unwrap_or("all") {
            "all" => Arrival::AllAtOnce,
            a => {
                let rate = a
                    .strip_prefix("rate:")
                    .and_then(|r| r.strip_suffix("/s"))
                    .ok_or_else(|| format!("--arrival: `{a}` is not `all` or `rate:N/s`"))?;
                let per_s = rate
                    .trim()
                    .parse::<f64>()
                    .map_err(|_| format!("--arrival: `{rate}` is not a valid number"))?;
                Arrival::Rate { per_s }
            }
        };
        Ok(PipelineSpec {
            workers,
            maxsize,
            service,
            items: self.items.unwrap_or(defaults.items),
            arrival,
            seed,
            memory_budget_bytes: self.memory_budget,
            ..PipelineSpec::tandem([1, 1, 1], 0, 1, seed)
        })
    }
}

/// One value for every stage, or one a stage.
fn per_stage<T: Clone>(flag: &str, values: Vec<T>, stages: usize) -> Result<Vec<T>, String> {
    match values.len() {
        1 => Ok(vec![values[0].clone(); stages]),
        k if k == stages => Ok(values),
        k => Err(format!(
            "{flag}: {k} values for {stages} stages (give one, or one per stage)"
        )),
    }
}

/// A clap error as the command line's one line: its message up to the usage, joined, without
/// the `error: ` prefix.
pub fn one_line(error: &clap::Error) -> String {
    let text = error.to_string();
    let message: Vec<&str> = text
        .lines()
        .map(str::trim)
        .take_while(|l| !l.is_empty())
        .collect();
    let joined = message.join(" ");
    let joined = joined.strip_prefix("error: ").unwrap_or(&joined);
    if joined.is_empty() {
        "bad arguments".into()
    } else {
        joined.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Probe {
        #[command(flatten)]
        pipeline: PipelineArgs,
        #[command(flatten)]
        engine: EngineArgs,
    }

    fn defaults() -> PipelineDefaults {
        PipelineDefaults {
            maxsize: 0,
            service: Service::parse("exp:1ms").unwrap(),
            items: 1000,
        }
    }

    #[test]
    fn one_maxsize_applies_to_every_stage_and_a_wrong_count_is_named() {
        let p = Probe::try_parse_from(["x", "--workers", "3,4,5", "--buffer", "10"]).unwrap();
        let spec = p.pipeline.spec(&defaults(), 1).unwrap();
        assert_eq!(spec.maxsize, [10, 10, 10]);
        let p = Probe::try_parse_from(["x", "--workers", "3,4,5", "--maxsize", "1,2"]).unwrap();
        let err = p.pipeline.spec(&defaults(), 1).unwrap_err();
        assert_eq!(
            err,
            "--maxsize: 2 values for 3 stages (give one, or one per stage)"
        );
    }

    #[test]
    fn a_repeated_flag_is_an_error_not_the_last_value() {
        let err = Probe::try_parse_from(["x", "--items", "5", "--items", "6"])
            .err()
            .unwrap();
        assert!(one_line(&err).contains("--items"), "{}", one_line(&err));
    }

    #[test]
    fn clock_needs_the_live_engine() {
        let p = Probe::try_parse_from(["x", "--clock", "free"]).unwrap();
        assert!(p.engine.clock().is_err());
        let p = Probe::try_parse_from(["x", "--engine", "live", "--clock", "free"]).unwrap();
        assert_eq!(p.engine.clock().unwrap(), ClockMode::Free);
    }
}
