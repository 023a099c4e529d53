//! What the integration tests share: the patience of a run on a busy machine, `on_both_engines!`
//! (which makes `name::model` and `name::live` of one body), and running the command line.

#![allow(dead_code)]

use pipeline_lab::engine::Engine;
use pipeline_lab::scenario::Scenario;
use std::process::Command;
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

/// Runs the `pipeline-lab` binary with `args`: its exit code, stdout and stderr.
pub fn cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pipeline-lab"))
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
