//! A live thread that dies of an injected fault (a panic, a failed allocation) ends its run with
//! a report naming the thread and the cause, and the same pool then runs the program again to
//! its end. One test in a binary of its own: an armed fault is the whole process's.

use pipeline_lab::live::{
    inject_fault, threads_needed, Fault, Live, LiveOptions, PoolSpawner, FAULT_ALLOC_BYTES,
};
use pipeline_lab::scenario::preset;
use pipeline_lab::stats::{HangKind, Status};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PATIENCE: Duration = Duration::from_secs(60);

#[test]
fn a_live_thread_that_panics_or_fails_to_allocate_ends_its_run_with_a_report_and_the_pool_runs_on()
{
    pipeline_lab::oom::panic_on_alloc_error();
    let options = LiveOptions {
        max_workers: 4,
        ..LiveOptions::default()
    };
    let p6 = preset("p6").unwrap();
    let pool = Arc::new(PoolSpawner::new(threads_needed(&p6, options.max_workers)));
    let alloc_cause = format!("memory allocation of {FAULT_ALLOC_BYTES} bytes failed");
    for (fault, cause) in [
        (Fault::Panic, "test-only fault: a live thread panics"),
        (Fault::Alloc, alloc_cause.as_str()),
    ] {
        inject_fault(fault);
        let mut run = Live::with_spawner(p6.clone(), pool.clone(), options).unwrap();
        assert_eq!(run.wait_for(PATIENCE), Status::Hang, "{fault:?}");
        let hang = run.hang().expect("a report");
        assert_eq!(hang.kind, HangKind::ThreadLost, "{fault:?}");
        assert!(
            hang.message.contains("failed inside the engine") && hang.message.contains(cause),
            "{fault:?}: {}",
            hang.message
        );
        assert!(
            run.console_lines().iter().any(|l| l.contains(cause)),
            "{:?}",
            run.console_lines()
        );
        // Every job returns (the panic unwound), so reset starts the program again.
        let start = Instant::now();
        while !run.try_reset().expect("restarts") {
            assert!(
                start.elapsed() < PATIENCE,
                "{fault:?}: reset never finished"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(run.wait_for(PATIENCE), Status::Finished, "{fault:?}");
        assert_eq!(run.console_lines(), ["1000 items processed"]);
    }
}
