//! Pipeline Lab: Effective Python's Item 55 pipeline (download -> resize -> upload, joined by
//! queues), as data that a deterministic model engine runs on virtual time.
//!
//! The map of the crate:
//! - [`scenario`]: the vocabulary both engines share: queues, stages, threads whose programs
//!   mirror the Python line by line, the presets (P1..P6, F1..F4), the pipeline builder, and
//!   validation into typed errors.
//! - [`sim`]: the model engine: one thread, virtual time in microseconds, events ordered by
//!   (time, sequence), Python's queue semantics, hang detection, replay.
//! - [`live`]: the live engine: the same scenarios on real threads (one per scenario thread),
//!   Python's blocking queues, a shared virtual clock, hang detection, spawners (threaded
//!   builds only).
//! - [`engine`]: one interface over both engines, with what each can do ([`engine::Capabilities`]).
//! - `cli` (native only): the command line's options, shared by `pipeline-lab` and the benches.
//! - [`shape`]: the pipeline's shape from a scenario (groups, queues, the done end, columns,
//!   which stages and queues can change while running), for the page to lay out.
//! - [`stats`]: `Stats` and `Frame`, the one shape every engine reports in.
//! - [`python`]: Python's semantics both engines share: exception and report texts, stage
//!   seeds, the polling test, the compiled (fused) form of the programs, and the hang report
//!   ([`python::hang`]: the waiting threads from a view of either engine, classified and worded).
//! - [`limits`]: every limit (workers, stages, `maxsize`, items, pool), one source for
//!   validation, the builder, both engines' controls and the page's sliders.
//! - [`timeline`]: a model-engine run over time (thread spans, queue lengths, item hops) and
//!   its Chrome/Perfetto trace.
//! - [`sweep`]: a parameter taken over a list of values, a few seeds each, on the model engine.
//! - `web` (wasm32 only): the `#[wasm_bindgen]` bindings, and nothing else.
//! - `web_baseline` (wasm32, feature `baseline`, benchmark only): the live engine's pipeline
//!   over crossbeam-channel, so the benchmark can show what the browser allows; never in the page.
//! - `ring`: the FIFO both engines' queues and waiter lists use.
//! - [`oom`]: a failed allocation panics with its size, so the panic hook reports it.
//!
//! A run in a few lines:
//!
//! ```
//! use pipeline_lab::{scenario::preset, sim::Sim, stats::Status};
//!
//! let mut sim = Sim::new(preset("p2").unwrap()).unwrap();
//! assert_eq!(sim.run_to_end(), Status::Finished);
//! assert_eq!(
//!     sim.console_lines(),
//!     ["consumer waiting", "producer putting", "producer done", "consumer done"]
//! );
//! ```

// A failed allocation panics instead of aborting without a word (see `oom`).
#![feature(alloc_error_hook)]

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod engine;
pub mod journey;
pub mod limits;
#[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
pub mod live;
pub mod oom;
pub mod python;
mod ring;
pub mod scenario;
pub mod shape;
pub mod sim;
pub mod stats;
pub mod sweep;
pub mod timeline;
mod token;

#[cfg(target_arch = "wasm32")]
mod web;
#[cfg(all(target_arch = "wasm32", feature = "baseline"))]
mod web_baseline;
