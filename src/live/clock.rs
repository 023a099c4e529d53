//! The live engine's time source: what "now" means in each clock mode, in microseconds. It must
//! not wait or wake anyone: deadlines and who sleeps on them belong to the run's scheduler.

use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};

/// How `work(stage)` and `sleep(t)` pass time on real threads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockMode {
    /// Virtual time that jumps to the earliest deadline whenever every live thread waits: fast,
    /// and faithful to the scenario's service times. The native default.
    #[default]
    Virtual,
    /// Virtual time that only [`super::Live::step`] advances (the page: pause, speed, single step).
    Stepped,
    /// Durations are skipped: raw throughput. "Now" is wall time since the start.
    Free,
    /// Durations are real sleeps. "Now" is wall time since the start.
    Wall,
}

/// The shared clock of one run.
#[derive(Debug)]
pub(crate) struct Clock {
    pub mode: ClockMode,
    /// Virtual and stepped modes: the time. Free and wall: unused.
    now: AtomicU64,
    /// Wall time (microseconds since an arbitrary origin) when the run started.
    origin: u64,
}

impl Clock {
    pub fn new(mode: ClockMode) -> Clock {
        Clock {
            mode,
            now: AtomicU64::new(0),
            origin: wall_us(),
        }
    }

    /// True when time is read from the wall (free and wall modes).
    #[inline]
    pub fn is_wall(&self) -> bool {
        matches!(self.mode, ClockMode::Free | ClockMode::Wall)
    }

    #[inline]
    pub fn now(&self) -> u64 {
        if self.is_wall() {
            wall_us().saturating_sub(self.origin)
        } else {
            self.now.load(Ordering::SeqCst)
        }
    }

    /// Moves virtual time forward to `t` (never back); returns the time now.
    pub fn advance_to(&self, t: u64) -> u64 {
        self.now.fetch_max(t, Ordering::SeqCst).max(t)
    }

    /// Adds `dt` to virtual time (lock-free), up to `sim::HORIZON_US` (no deadline lies past
    /// it: the run ends first); returns the time now.
    pub fn add(&self, dt: u64) -> u64 {
        let step = |n: u64| n.saturating_add(dt).min(crate::sim::HORIZON_US).max(n);
        let before = self
            .now
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| Some(step(n)))
            .unwrap_or(0);
        step(before)
    }
}

/// Microseconds of wall time from an arbitrary origin. `Instant` natively; on wasm32 (where
/// `Instant::now` panics) the JS clock.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn wall_us() -> u64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    ORIGIN.get_or_init(Instant::now).elapsed().as_micros() as u64
}

/// On wasm32 the JS clock: `performance.timeOrigin + performance.now()` of this thread's global
/// (the page or a Web Worker), in microseconds. Each worker's `performance.now()` counts from its
/// own start, so the time origin is added to put every thread on one clock; `Date.now()` would
/// do that too, but only to the millisecond.
#[cfg(target_arch = "wasm32")]
pub(crate) fn wall_us() -> u64 {
    use wasm_bindgen::JsCast;
    thread_local! {
        static PERFORMANCE: Option<web_sys::Performance> =
            js_sys::Reflect::get(&js_sys::global(), &"performance".into())
                .ok()
                .and_then(|p| p.dyn_into::<web_sys::Performance>().ok());
    }
    let ms = PERFORMANCE.with(|p| match p {
        Some(p) => p.time_origin() + p.now(),
        None => js_sys::Date::now(),
    });
    (ms * 1000.0) as u64
}
