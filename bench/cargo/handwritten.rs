//! How much the model engine's generality costs: the tandem (ARCHITECTURE.md) written out by hand with the
//! engine's exact scheduling, raced against the engine on the same seeds.
//!
//! The hand-written loop keeps everything that decides the schedule: `main` putting items as fast
//! as the first queue takes them, each worker's `get -> work -> put -> task_done`, waiters woken
//! first-come first-served, woken threads run in FIFO order, deadlines ordered by (time,
//! sequence) in the engine's own calendar (`Timers`), one seeded generator a stage. It drops
//! the interpreter (no instructions, no dispatch, no SENTINELs, controls, budget, trace or
//! moves). It comes in two variants:
//! - `same stats`: it also keeps the engine's per-item bookkeeping (time a thread spends in each
//!   state, queue and stage time integrals, counters, the latency histogram);
//! - `bare`: no statistics at all, close to a bare Rust event-queue simulation of the tandem (about
//!   7-10 M items/s on these 2-core machines).
//!
//! Both must end at the engine's virtual time to the microsecond, or the bench fails: that is
//! the check that they simulate the same thing. The engine also runs with its worker-loop fast
//! path off (every instruction through the interpreter), which prices that fast path. Runs are
//! interleaved (engine, interpreter alone, same stats, bare) and ratios taken run by run, as
//! bench/run.mjs does.
//!
//! ```text
//! cargo bench --bench handwritten [-- --workers 3,4,5 --buffer 10 --items 1000000 --runs 5 --json]
//! ```
//! Without `--workers` it measures the four tandems of BENCHMARKS.md. `--json` prints one JSON
//! line a tandem (for bench/run.mjs) instead of the summary line.

use pipeline_lab::scenario::{PipelineSpec, Rng};
use pipeline_lab::sim::{Sim, Timers};
use std::collections::VecDeque;
use std::time::Instant;

/// Stage means of the tandem (ARCHITECTURE.md), in microseconds (the builder's `PipelineSpec::tandem`).
const MEANS_US: [i64; 3] = [1000, 1500, 800];

#[derive(Clone, Copy, Default)]
struct Item {
    born: u64,
    entered: u64,
}

#[derive(Clone, Copy, Default, PartialEq)]
enum State {
    #[default]
    Running,
    Working,
    BlockedGet,
    BlockedPut,
    Ended,
}

#[derive(Default)]
struct Queue {
    items: VecDeque<Item>,
    /// 0 = unbounded (the done queue).
    maxsize: usize,
    get_waiters: VecDeque<u32>,
    put_waiters: VecDeque<u32>,
    unfinished: u64,
    puts: u64,
    gets: u64,
    max_len: u64,
    entered_sum: u128,
    left_sum: u128,
}

struct Stage {
    rng: Rng,
    mean_us: i64,
    in_service: u64,
    entered_sum: u128,
    left_sum: u128,
    completed: u64,
    sojourn_sum: u128,
}

#[derive(Clone, Copy, Default)]
struct Thread {
    state: State,
    since: u64,
    time_in: [u64; 5],
    held: Item,
    /// Thread 0 is `main`; the others are workers of this stage.
    stage: usize,
    /// The worker's next step is its `put` (its work is done).
    putting: bool,
    work_done: u64,
}

/// The tandem; `STATS` keeps the engine's bookkeeping.
struct Tandem<const STATS: bool> {
    now: u64,
    seq: u64,
    ready: VecDeque<u32>,
    /// The engine's own calendar of deadlines, so that only the interpreter is priced.
    timers: Timers,
    threads: Vec<Thread>,
    /// One a stage, then the done queue, which only counts.
    queues: Vec<Queue>,
    stages: Vec<Stage>,
    items: u64,
    made: u64,
    done: u64,
    latency: [u64; 65],
    latency_sum: u128,
}

impl<const STATS: bool> Tandem<STATS> {
    /// The state the engine reaches at time 0: every worker started and parked in its `get`,
    /// in the order `main` started them, and `main` about to put the first item.
    fn new(workers: &[u32], maxsize: usize, items: u64, seed: u64) -> Self {
        let mut threads = vec![Thread::default()];
        let mut queues: Vec<Queue> = (0..=workers.len())
            .map(|i| Queue {
                maxsize: if i < workers.len() { maxsize } else { 0 },
                ..Queue::default()
            })
            .collect();
        for (s, &count) in workers.iter().enumerate() {
            for _ in 0..count {
                queues[s].get_waiters.push_back(threads.len() as u32);
                threads.push(Thread {
                    stage: s,
                    state: State::BlockedGet,
                    ..Thread::default()
                });
            }
        }
        let stages = (0..workers.len())
            .map(|i| Stage {
                // The engine's stream for stage i.
                rng: Rng::new(seed ^ (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15)),
                mean_us: MEANS_US[i],
                in_service: 0,
                entered_sum: 0,
                left_sum: 0,
                completed: 0,
                sojourn_sum: 0,
            })
            .collect();
        Tandem {
            now: 0,
            seq: 0,
            ready: VecDeque::from([0]),
            timers: Timers::new(*MEANS_US.iter().min().unwrap() as u64),
            threads,
            queues,
            stages,
            items,
            made: 0,
            done: 0,
            latency: [0; 65],
            latency_sum: 0,
        }
    }

    #[inline(always)]
    fn set_state(&mut self, t: usize, s: State) {
        let now = self.now;
        let th = &mut self.threads[t];
        if STATS {
            th.time_in[th.state as usize] += now - th.since;
            th.since = now;
        }
        th.state = s;
    }

    #[inline(always)]
    fn wake(&mut self, t: u32) {
        self.set_state(t as usize, State::Running);
        self.ready.push_back(t);
    }

    #[inline(always)]
    fn is_full(&self, q: usize) -> bool {
        let q = &self.queues[q];
        q.maxsize != 0 && q.items.len() >= q.maxsize
    }

    #[inline(always)]
    fn put(&mut self, q: usize, item: Item) {
        let now = self.now;
        let queue = &mut self.queues[q];
        queue.items.push_back(item);
        queue.unfinished += 1;
        if STATS {
            queue.entered_sum += now as u128;
            queue.puts += 1;
            queue.max_len = queue.max_len.max(queue.items.len() as u64);
        }
        if let Some(w) = queue.get_waiters.pop_front() {
            self.wake(w);
        }
    }

    /// `for _ in range(items): download_queue.put(object())` until it blocks or is done.
    fn run_main(&mut self) {
        loop {
            if self.made == self.items {
                self.set_state(0, State::Ended);
                return;
            }
            if self.is_full(0) {
                self.queues[0].put_waiters.push_back(0);
                self.set_state(0, State::BlockedPut);
                return;
            }
            self.made += 1;
            let item = Item {
                born: self.now,
                entered: self.now,
            };
            self.put(0, item);
        }
    }

    /// A worker's `put -> task_done -> get -> work`, up to where it blocks or starts working.
    fn run_worker(&mut self, t: usize) {
        let s = self.threads[t].stage;
        let last = s + 1 == self.stages.len();
        if self.threads[t].putting {
            let now = self.now;
            let mut item = self.threads[t].held;
            if last {
                // The done queue: nobody takes from it, so it only counts.
                let done = &mut self.queues[s + 1];
                done.unfinished += 1;
                self.done += 1;
                if STATS {
                    done.entered_sum += now as u128;
                    done.puts += 1;
                    let latency = now - item.born;
                    self.latency[(64 - latency.leading_zeros()) as usize] += 1;
                    self.latency_sum += latency as u128;
                }
            } else {
                if self.is_full(s + 1) {
                    self.queues[s + 1].put_waiters.push_back(t as u32);
                    self.set_state(t, State::BlockedPut);
                    return;
                }
                item.entered = now;
                self.put(s + 1, item);
            }
            self.queues[s].unfinished -= 1;
            self.threads[t].putting = false;
        }
        let now = self.now;
        let Some(item) = self.queues[s].items.pop_front() else {
            self.queues[s].get_waiters.push_back(t as u32);
            self.set_state(t, State::BlockedGet);
            return;
        };
        if STATS {
            let q = &mut self.queues[s];
            q.left_sum += now as u128;
            q.gets += 1;
        }
        if let Some(w) = self.queues[s].put_waiters.pop_front() {
            self.wake(w);
        }
        self.threads[t].held = item;
        self.threads[t].putting = true;
        let st = &mut self.stages[s];
        let d = (st.mean_us as f64 * st.rng.exp1() + 0.5) as i64 as u64;
        if STATS {
            st.entered_sum += now as u128;
            st.in_service += 1;
        }
        self.set_state(t, State::Working);
        self.seq += 1;
        self.timers.push(now + d, (self.seq << 24) | t as u64, now);
    }

    /// Runs until the last item is in the done queue; returns the virtual time then.
    fn run(&mut self) -> u64 {
        while self.done < self.items {
            if let Some(t) = self.ready.pop_front() {
                match t {
                    0 => self.run_main(),
                    _ => self.run_worker(t as usize),
                }
                continue;
            }
            let Some((at, tag)) = self.timers.pop_due(u64::MAX) else {
                break;
            };
            self.now = at;
            let t = (tag & 0xff_ffff) as usize;
            if STATS {
                let now = self.now;
                let th = &mut self.threads[t];
                let st = &mut self.stages[th.stage];
                st.left_sum += now as u128;
                st.in_service -= 1;
                st.completed += 1;
                st.sojourn_sum += (now - th.held.entered) as u128;
                th.held.entered = now;
                th.work_done += 1;
            }
            self.set_state(t, State::Running);
            self.run_worker(t);
        }
        self.now
    }

    /// A number from the statistics, so that the optimizer cannot drop them.
    fn checksum(&self) -> u64 {
        let threads: u64 = self
            .threads
            .iter()
            .map(|t| t.time_in[1] + t.work_done)
            .sum();
        let queues: u64 = self
            .queues
            .iter()
            .map(|q| q.puts + q.gets + q.max_len)
            .sum();
        let stages: u128 = self.stages.iter().map(|s| s.sojourn_sum + s.left_sum).sum();
        threads
            .wrapping_add(queues)
            .wrapping_add(stages as u64)
            .wrapping_add(self.latency_sum as u64)
            .wrapping_add(self.latency.iter().sum::<u64>())
    }
}

/// Items a wall second, and the virtual time at the last item.
fn time_it(run: impl FnOnce() -> u64, items: u64) -> (f64, u64) {
    let start = Instant::now();
    let end = run();
    (items as f64 / start.elapsed().as_secs_f64(), end)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn measure(workers: &[u32], buffer: u32, items: u64, runs: u64, json: bool) -> Result<(), String> {
    let (mut engine, mut fast, mut same, mut bare) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for run in 1..=runs {
        let seed = run;
        let spec = PipelineSpec::tandem([workers[0], workers[1], workers[2]], buffer, items, seed);
        let mut sim =
            Sim::new(spec.build().map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
        let (e, e_end) = time_it(
            || {
                sim.run_to_end();
                sim.now()
            },
            items,
        );
        // The engine with every instruction through its interpreter (no worker-loop fast path).
        let mut slow = Sim::new(spec.build().map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?
            .without_fast_path();
        let (i, i_end) = time_it(
            || {
                slow.run_to_end();
                slow.now()
            },
            items,
        );
        let mut a = Tandem::<true>::new(workers, buffer as usize, items, seed);
        let (s, s_end) = time_it(|| a.run(), items);
        let mut b = Tandem::<false>::new(workers, buffer as usize, items, seed);
        let (r, r_end) = time_it(|| b.run(), items);
        std::hint::black_box(a.checksum());
        if sim.items_done() != items || i_end != e_end || s_end != e_end || r_end != e_end {
            return Err(format!(
                "w={workers:?} k={buffer} seed {seed}: the hand-written loop does not simulate \
                 the engine's schedule (engine ends at {e_end} us with {} items, same stats \
                 at {s_end} us, bare at {r_end} us)",
                sim.items_done()
            ));
        }
        engine.push(e);
        fast.push(e / i);
        same.push(s / e);
        bare.push(r / e);
    }
    if json {
        let list = |v: &[f64]| {
            let cells: Vec<String> = v.iter().map(|x| format!("{x:.4}")).collect();
            format!("[{}]", cells.join(","))
        };
        println!(
            "{{\"workers\":{workers:?},\"buffer\":{buffer},\"items\":{items},\"runs\":{runs},\
             \"engine_items_per_wall_s\":{},\"fast_path_speedup\":{},\
             \"same_stats_per_engine\":{},\"bare_per_engine\":{}}}",
            list(&engine),
            list(&fast),
            list(&same),
            list(&bare)
        );
    } else {
        println!(
            "w={workers:?} k={buffer}: engine {:.2} M items/s ({:.2}x its interpreter alone); \
             hand-written, same stats {:.2}x the engine; bare {:.2}x (medians of {runs} \
             run-by-run ratios; end times equal)",
            median(engine) / 1e6,
            median(fast),
            median(same),
            median(bare)
        );
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let mut workers: Option<Vec<u32>> = None;
    let (mut buffer, mut items, mut runs) = (10u32, 1_000_000u64, 5u64);
    let json = args.iter().any(|a| a == "--json");
    let mut it = args.iter().filter(|a| *a != "--json");
    let parsed: Result<(), String> = (|| {
        while let Some(flag) = it.next() {
            let value = it.next().ok_or(format!("{flag} needs a value"))?;
            let bad = |_| format!("{flag}: `{value}` is not a number");
            match flag.as_str() {
                "--workers" => {
                    let w: Vec<u32> = value
                        .split(',')
                        .map(str::parse)
                        .collect::<Result<_, _>>()
                        .map_err(bad)?;
                    if w.len() != 3 || w.iter().any(|&n| n == 0 || n > 32) {
                        return Err("--workers takes three counts of 1 to 32".into());
                    }
                    workers = Some(w);
                }
                "--buffer" => buffer = value.parse().map_err(bad)?,
                "--items" => items = value.replace('_', "").parse().map_err(bad)?,
                "--runs" => runs = value.parse().map_err(bad)?,
                _ => return Err(format!("unknown option {flag}")),
            }
        }
        if buffer == 0 || items == 0 || runs == 0 {
            return Err("--buffer, --items and --runs must be at least 1".into());
        }
        Ok(())
    })();
    let result = parsed.and_then(|()| {
        let tandems = match &workers {
            Some(w) => vec![(w.clone(), buffer)],
            None => [[1, 1, 1], [3, 4, 5]]
                .iter()
                .flat_map(|w| [10, 1].map(|k| (w.to_vec(), k)))
                .collect(),
        };
        tandems
            .iter()
            .try_for_each(|(w, k)| measure(w, *k, items, runs, json))
    });
    if let Err(e) = result {
        eprintln!("handwritten: {e}");
        std::process::exit(1);
    }
}
