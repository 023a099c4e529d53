//! `Stats` and `Frame` of a live run, in the model engine's shape, read from what the threads
//! publish in atomics. It must never block: locks are only tried (the console, the latency
//! histogram, queue contents), and what a busy lock hides is best effort.

use super::lock::try_lock_briefly;
use super::shared::Shared;
use crate::scenario::{Lang, OpKind};
use crate::stats::{
    Frame, Latency, QueueBytes, QueueStats, StageStats, StageTotals, Stats, ThreadState,
    ThreadStats, NO_ITEM,
};
use std::sync::atomic::Ordering;
use std::sync::Mutex;

/// What a reader saw last of the lock-guarded parts, shown when a lock is busy.
#[derive(Debug, Default)]
pub(crate) struct LastSeen {
    pub console_en: Vec<String>,
    pub console_ko: Vec<String>,
    pub latency: Latency,
}

/// Time thread `slot` spent in state `s` up to `now` (best effort while it changes state).
fn time_in(slot: &super::shared::ThreadSlot, s: ThreadState, now: u64) -> u64 {
    let past = slot.time_in[s as usize].load(Ordering::Relaxed);
    if slot.state() == s {
        past + now.saturating_sub(slot.since.load(Ordering::Relaxed))
    } else {
        past
    }
}

/// Console lines in `lang`; the last lines seen when the console is busy.
pub(crate) fn console(sh: &Shared, lang: Lang, last: &Mutex<LastSeen>) -> Vec<String> {
    let mut seen = match try_lock_briefly(last) {
        Some(g) => g,
        None => return Vec::new(),
    };
    if let Some(lines) = try_lock_briefly(&sh.console) {
        seen.console_en = lines.iter().map(|l| l.en.clone()).collect();
        seen.console_ko = lines.iter().map(|l| l.ko.clone()).collect();
    }
    match lang {
        Lang::En => seen.console_en.clone(),
        Lang::Ko => seen.console_ko.clone(),
    }
}

pub(crate) fn stats(sh: &Shared, lang: Lang, last: &Mutex<LastSeen>) -> Stats {
    let now = sh.now();
    let status = sh.sched.status();
    let n = sh.n_threads();
    let threads: Vec<ThreadStats> = (0..n)
        .map(|t| {
            let s = sh.slot(t);
            ThreadStats {
                name: s.name.clone(),
                stage: s.stage,
                state: s.state(),
                line: sh.current_line(t),
                busy_us: time_in(s, ThreadState::Working, now),
                blocked_on_get_us: time_in(s, ThreadState::BlockedGet, now),
                blocked_on_put_us: time_in(s, ThreadState::BlockedPut, now),
                polling_us: time_in(s, ThreadState::Polling, now),
                sleeping_us: time_in(s, ThreadState::Sleeping, now),
                spinning_us: time_in(s, ThreadState::Spinning, now),
                joining_us: time_in(s, ThreadState::Joining, now),
                polled_count: s.polled.load(Ordering::Relaxed),
                wasted_polls: s.wasted_polls.load(Ordering::Relaxed),
                work_done: s
                    .per_stage
                    .iter()
                    .map(|c| c.done.load(Ordering::Relaxed))
                    .sum(),
            }
        })
        .collect();
    let stages: Vec<StageStats> = sh
        .stages
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let workers = st.target_workers.load(Ordering::Relaxed);
            let (mut busy, mut alive, mut bget, mut bput) = (0, 0, 0, 0);
            let (mut completed, mut sojourn, mut in_service) = (0u64, 0u128, 0u64);
            for t in 0..n {
                let s = sh.slot(t);
                let c = &s.per_stage[i];
                completed += c.done.load(Ordering::Relaxed);
                sojourn += c.sojourn_us.load(Ordering::Relaxed) as u128;
                in_service += c.busy_us.load(Ordering::Relaxed);
                // A call in progress counts up to now.
                if s.state() == ThreadState::Working {
                    let pc = s.pc.load(Ordering::Relaxed) as usize;
                    if let Some(OpKind::Work { stage }) =
                        sh.programs[s.prog].get(pc).map(|o| o.kind)
                    {
                        if stage == i {
                            in_service += now.saturating_sub(s.since.load(Ordering::Relaxed));
                        }
                    }
                }
                if s.stage != Some(i) {
                    continue;
                }
                busy += time_in(s, ThreadState::Working, now);
                bget += time_in(s, ThreadState::BlockedGet, now);
                bput += time_in(s, ThreadState::BlockedPut, now);
                alive += ThreadState::ALL
                    .iter()
                    .filter(|x| x.is_alive())
                    .map(|&x| time_in(s, x, now))
                    .sum::<u64>();
            }
            let mean = st.service.mean_us();
            let queue_mean = sh.queues[st.input].mean_len(now);
            StageStats::derive(
                StageTotals {
                    name: st.name.clone(),
                    workers,
                    service_mean_us: mean,
                    completed,
                    busy_us: busy,
                    alive_us: alive,
                    blocked_on_get_us: bget,
                    blocked_on_put_us: bput,
                    queue_mean,
                    in_service_area: in_service as f64,
                    sojourn_sum_us: sojourn,
                    arrived: sh.queues[st.input].puts(),
                },
                now,
            )
        })
        .collect();
    let bottleneck = crate::stats::bottleneck(&stages);
    let theoretical = crate::stats::theoretical_best(&stages);
    let items_done: u64 = sh
        .slots()
        .map(|s| s.items_done.load(Ordering::Relaxed))
        .sum();
    let latency = {
        let fresh = try_lock_briefly(&sh.latency).map(|h| h.summary());
        match try_lock_briefly(last) {
            Some(mut seen) => {
                if let Some(l) = fresh {
                    seen.latency = l;
                }
                seen.latency.clone()
            }
            None => fresh.unwrap_or_default(),
        }
    };
    // Without a budget of the scenario's own the page shows no memory: the bytes are 0.
    let lens = queue_lens(sh);
    let item_bytes = sh.scenario.memory.as_ref().map_or(0, |m| m.item_bytes);
    let accounting = accounting_of(sh, &lens, item_bytes);
    // Items queued now in the queues the budget counts (with or without a budget of its own).
    let (done_queue, counts_done) = (sh.scenario.done_queue, sh.scenario.budget_counts_done());
    let now_items: u64 = accounting
        .iter()
        .enumerate()
        .filter(|&(q, _)| crate::stats::budget_counts(q, done_queue, counts_done))
        .map(|(_, a)| a.items)
        .sum();
    let peak_items = sh
        .peak_items
        .fetch_max(now_items, Ordering::Relaxed)
        .max(now_items);
    let lingering = try_lock_briefly(&sh.lingering)
        .map(|l| l.iter().map(|&t| sh.slot(t).name.clone()).collect())
        .unwrap_or_default();
    Stats {
        status,
        virtual_time_us: now,
        items_done,
        items_total: sh.scenario.items,
        throughput_per_s: crate::stats::rate_per_s(items_done, now),
        theoretical_per_s: theoretical,
        latency,
        polls: threads.iter().map(|t| t.polled_count).sum(),
        wasted_polls: threads.iter().map(|t| t.wasted_polls).sum(),
        wasted_cpu_us: threads.iter().map(|t| t.spinning_us).sum(),
        threads,
        queues: sh
            .queues
            .iter()
            .zip(&accounting)
            .zip(&lens)
            .map(|((q, a), &len)| QueueStats {
                name: q.name.clone(),
                maxsize: q.maxsize(),
                len,
                mean_len: q.mean_len(now),
                max_len: q.max_len(),
                unfinished_tasks: q.unfinished_tasks(),
                puts: q.puts(),
                gets: q.gets(),
                items: a.items,
                bytes: a.bytes,
            })
            .collect(),
        stages,
        bottleneck,
        memory_bytes: crate::stats::memory_total(&accounting),
        peak_memory_bytes: crate::stats::peak_bytes(
            peak_items,
            sh.scenario.memory.as_ref(),
            crate::stats::memory_total(&accounting),
        ),
        peak_items_queued: peak_items,
        memory_budget_bytes: sh.scenario.memory.as_ref().map(|m| m.budget_bytes),
        console: console(sh, lang, last),
        events: sh.slots().map(|s| s.ops.load(Ordering::Relaxed)).sum(),
        lingering,
        hang: try_lock_briefly(&sh.hang).and_then(|h| h.as_ref().map(|h| h.report(lang))),
        memory_error: try_lock_briefly(&sh.memory_error).and_then(|m| m.clone()),
    }
}

/// The memory budget's accounting now, queue by queue, at `item_bytes` an item: `qsize()`
/// without the SENTINELs, read from atomics (best effort while items move).
pub(crate) fn memory_accounting(sh: &Shared, item_bytes: u64) -> Vec<QueueBytes> {
    accounting_of(sh, &queue_lens(sh), item_bytes)
}

/// Every queue's `qsize()`, each read once, so that figures derived from one snapshot agree.
fn queue_lens(sh: &Shared) -> Vec<u64> {
    sh.queues.iter().map(|q| q.qsize()).collect()
}

fn accounting_of(sh: &Shared, lens: &[u64], item_bytes: u64) -> Vec<QueueBytes> {
    crate::stats::memory_accounting(
        sh.queues
            .iter()
            .zip(lens)
            .enumerate()
            .map(|(i, (q, &len))| {
                let sentinels = sh.sentinels[i].load(Ordering::Relaxed);
                (q.name.clone(), len.saturating_sub(sentinels))
            }),
        sh.scenario.done_queue,
        sh.scenario.budget_counts_done(),
        item_bytes,
    )
}

/// Fills `f` in place, reusing its buffers; takes the moves recorded since the last frame.
pub(crate) fn frame_into(sh: &Shared, f: &mut Frame) {
    f.time_us = sh.now();
    f.thread_state.clear();
    f.thread_line.clear();
    f.thread_item.clear();
    for t in 0..sh.n_threads() {
        let s = sh.slot(t);
        let state = s.state();
        f.thread_state.push(state as u8);
        f.thread_line.push(if state == ThreadState::Ended {
            0
        } else {
            sh.current_line(t)
        });
        f.thread_item.push(if state == ThreadState::Ended {
            NO_ITEM
        } else {
            s.held.load(Ordering::Relaxed)
        });
    }
    f.queue_start.clear();
    f.queue_items.clear();
    f.queue_len.clear();
    f.queue_maxsize.clear();
    for q in &sh.queues {
        f.queue_len.push(q.qsize().min(u32::MAX as u64) as u32);
        f.queue_maxsize.push(q.maxsize());
        f.queue_start.push(f.queue_items.len() as u32);
        q.item_ids_into(&mut f.queue_items);
    }
    f.queue_start.push(f.queue_items.len() as u32);
    f.moves.clear();
    if let Some(m) = &sh.moves {
        if let Some(mut m) = try_lock_briefly(m) {
            std::mem::swap(&mut f.moves, &mut *m);
        }
    }
    f.moves_lost = sh.moves_lost.swap(false, Ordering::Relaxed);
}
