//! The presets: Item 55's six programs (P1..P6) and four failure modes (F1..F4), each as the
//! Python it shows and the operations that mirror it line by line, written on a small
//! assembler with named labels (`asm`). One file a group: `polling` (P1), `blocking` (P2-P4),
//! `closable` (P5, P6), `failures` (F1-F4). Data only.

mod asm;
mod blocking;
mod closable;
mod failures;
mod polling;

pub(crate) use closable::{closable_source, items_processed, stoppable_worker};

use super::{Op, QueueKind, QueueSpec, Scenario, Service, StageSpec, Text, ThreadSpec};
use serde::Serialize;

/// A preset's id and what the picker shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PresetInfo {
    pub id: &'static str,
    pub title: Text,
    pub summary: Text,
}

const IDS: [&str; 10] = ["p1", "p2", "p3", "p4", "p5", "p6", "f1", "f2", "f3", "f4"];

/// Every preset, in the picker's order.
pub fn presets() -> Vec<PresetInfo> {
    IDS.iter()
        .map(|id| {
            let s = preset(id).expect("every listed preset exists");
            PresetInfo {
                id,
                title: s.title,
                summary: s.summary,
            }
        })
        .collect()
}

/// The preset with this id (`p1`..`p6`, `f1`..`f4`).
pub fn preset(id: &str) -> Option<Scenario> {
    Some(match id {
        "p1" => polling::p1_polling(),
        "p2" => blocking::p2_get_blocks(),
        "p3" => blocking::p3_put_blocks(),
        "p4" => blocking::p4_join(),
        "p5" => closable::p5_closable(),
        "p6" => closable::p6_many_workers(),
        "f1" => failures::f1_missing_sentinel(),
        "f2" => failures::f2_missing_task_done(),
        "f3" => failures::f3_memory_error(),
        "f4" => failures::f4_deadlock(),
        _ => return None,
    })
}

pub(super) fn queue(name: &str, kind: QueueKind, maxsize: u32) -> QueueSpec {
    QueueSpec {
        name: name.to_string(),
        kind,
        maxsize,
    }
}

pub(super) fn thread(name: &str, stage: Option<usize>, program: Vec<Op>) -> ThreadSpec {
    ThreadSpec {
        name: name.to_string(),
        stage,
        program,
    }
}

pub(super) fn ms(n: u64) -> u64 {
    n * 1000
}

/// The note's stage functions are `...`: instant. Presets that animate give them a little time.
pub(super) fn pipeline_stages(services: [Service; 3]) -> Vec<StageSpec> {
    ["download", "resize", "upload"]
        .iter()
        .zip(services)
        .enumerate()
        .map(|(i, (name, service))| StageSpec {
            name: name.to_string(),
            service,
            input: i,
            output: Some(i + 1),
        })
        .collect()
}

pub(super) fn visible_services() -> [Service; 3] {
    [
        Service::Uniform {
            lo_us: ms(5),
            hi_us: ms(15),
        },
        Service::Uniform {
            lo_us: ms(10),
            hi_us: ms(30),
        },
        Service::Uniform {
            lo_us: ms(5),
            hi_us: ms(15),
        },
    ]
}

pub(super) fn pipeline_queues(kind: QueueKind) -> Vec<QueueSpec> {
    [
        "download_queue",
        "resize_queue",
        "upload_queue",
        "done_queue",
    ]
    .iter()
    .map(|n| queue(n, kind, 0))
    .collect()
}
