//! Every limit of the lab in one place: what validation, the pipeline builder, both engines'
//! controls and the page's sliders accept. It holds numbers only and must not check anything.
//!
//! The rule for `maxsize` is one bound everywhere: a queue may be made with at most
//! [`MAX_MAXSIZE`] slots and changed to at most as many while it runs, so any bound a run starts
//! with can be set again later.

use serde::Serialize;

/// Stages of the pipeline builder.
pub const MAX_STAGES: usize = 6;
/// Workers a stage may have when built or changed while running (a scenario written by hand
/// may start with more; the live engine lets such a stage go back up to its own count).
pub const MAX_WORKERS: u32 = 32;
/// Largest bounded `maxsize` (0 means unbounded), in a scenario, the builder and while running.
pub const MAX_MAXSIZE: u32 = 1000;
/// Items the pipeline builder may put through.
pub const MAX_BUILDER_ITEMS: u64 = 10_000_000;
/// Items a scenario may declare.
pub const MAX_SCENARIO_ITEMS: u64 = 1_000_000_000;
/// Threads a scenario may declare, main included.
pub const MAX_THREADS: usize = 1024;
/// Slowest and fastest arrival rate of the builder, items a second.
pub const MIN_RATE_PER_S: f64 = 0.001;
pub const MAX_RATE_PER_S: f64 = 1_000_000.0;
/// Longest duration (service time, sleep) a scenario may ask for: one day of virtual time.
pub const MAX_DURATION_US: u64 = 86_400_000_000;
/// Largest memory budget of the pipeline builder (4 GiB).
pub const MAX_MEMORY_BUDGET_BYTES: u64 = 4096 << 20;
/// Web Workers in the page's pool for the live engine: one run may have this many threads at
/// once, main and its workers, counting the workers its sliders may add.
pub const POOL_THREADS: u32 = 64;

/// Virtual time a run may reach, in both engines: one simulated year. A run whose next deadline
/// lies past it (a loop that sleeps forever) can never finish, and ends with a
/// `HangKind::Horizon` report instead of running on, or wrapping its clock.
pub const HORIZON_US: u64 = 365 * 86_400 * 1_000_000;

/// Operations a run may execute without progress before it is reported as a livelock, in both
/// engines (the live engine counts them per thread). Progress is virtual time moving, or an item
/// made or finished (counted up to `sim::progress_cap`); a thread that blocks lets the others run,
/// which is progress only through them. Progress is looked for only when the bound is reached,
/// so a livelock is reported within twice this many operations of the last progress. The bound
/// does not grow with the items. It is also the window of a stall (`HangKind::Stall`): pollers
/// that sleep between polls move virtual time, which is progress only while some thread could
/// give them an item; a run in which none could, at both ends of a window with no item made or
/// finished, is reported within three windows.
pub const LIVELOCK_OPS: u64 = 1 << 22;

/// Console lines a run keeps, in both engines: a program that prints in an endless loop must
/// not grow the console (which the memory budget does not count) without bound. Past it, one
/// last line says that the rest was dropped.
pub const MAX_CONSOLE_LINES: usize = 10_000;

/// The limits as the page reads them (`limits()` in the wasm module), in camelCase.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    /// Builder stages, `1..=stages`.
    pub stages: u32,
    /// Workers a stage, `1..=workersPerStage`, built or while running.
    pub workers_per_stage: u32,
    /// `maxsize`, `0..=maxsize` (0 = unbounded), at start and while running.
    pub maxsize: u32,
    /// Builder items, `1..=builderItems`.
    pub builder_items: u32,
    /// Items of a scenario, `0..=scenarioItems`.
    pub scenario_items: u32,
    /// Threads of a scenario, main included.
    pub threads: u32,
    /// Builder arrival rate, items a second.
    pub min_rate_per_s: f64,
    pub max_rate_per_s: f64,
    /// Longest duration in microseconds (a float: it is above 2^32).
    pub max_duration_us: f64,
    /// Builder memory budget in MiB, `1..=memoryBudgetMib` (none when absent).
    pub memory_budget_mib: u32,
    /// Threads of the page's pool for the live engine (threads one run may have at once).
    pub pool_threads: u32,
}

/// The limits, for the page.
pub fn limits() -> Limits {
    Limits {
        stages: MAX_STAGES as u32,
        workers_per_stage: MAX_WORKERS,
        maxsize: MAX_MAXSIZE,
        builder_items: MAX_BUILDER_ITEMS as u32,
        scenario_items: MAX_SCENARIO_ITEMS as u32,
        threads: MAX_THREADS as u32,
        min_rate_per_s: MIN_RATE_PER_S,
        max_rate_per_s: MAX_RATE_PER_S,
        max_duration_us: MAX_DURATION_US as f64,
        memory_budget_mib: (MAX_MEMORY_BUDGET_BYTES >> 20) as u32,
        pool_threads: POOL_THREADS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_limit_survives_the_trip_to_the_page_unrounded() {
        let l = limits();
        assert_eq!(l.builder_items as u64, MAX_BUILDER_ITEMS);
        assert_eq!(l.scenario_items as u64, MAX_SCENARIO_ITEMS);
        assert_eq!(l.max_duration_us as u64, MAX_DURATION_US);
        assert_eq!((l.memory_budget_mib as u64) << 20, MAX_MEMORY_BUDGET_BYTES);
        let json = serde_json::to_value(&l).unwrap();
        assert_eq!(json["workersPerStage"], MAX_WORKERS);
        assert_eq!(json["maxsize"], MAX_MAXSIZE);
        assert_eq!(json["poolThreads"], POOL_THREADS);
    }
}
