//! What the tests that run one body on both engines share: the patience of a run on a busy
//! machine, and `on_both_engines!`, which makes `name::model` and `name::live` of one body.

#![allow(dead_code)]

use pipeline_lab::engine::Engine;
use pipeline_lab::scenario::Scenario;
use std::time::Duration;

/// Long enough for any preset on a busy 2-core machine; a run that takes it has hung for real.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// Makes a run of a scenario on one engine.
pub type Make = dyn Fn(Scenario) -> Engine;

/// `fn name(make) { body }` becomes `name::model` and `name::live`, each running the body with
/// `make` building runs on that engine (the live one on a virtual clock). The test file imports
/// `Engine`, `LiveOptions` and `common::*`.
#[macro_export]
macro_rules! on_both_engines {
    ($($(#[$doc:meta])* fn $name:ident($make:ident) $body:block)*) => {
        $(
            $(#[$doc])*
            mod $name {
                use super::*;

                fn body($make: &Make) $body

                #[test]
                fn model() {
                    body(&|s| Engine::model(s).expect("valid"));
                }

                #[test]
                fn live() {
                    body(&|s| Engine::live(s, LiveOptions::default()).expect("starts"));
                }
            }
        )*
    };
}
