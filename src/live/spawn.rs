//! Where the live engine's threads come from: a [`Spawner`] runs a job on a thread of its own
//! until the job returns. `std::thread` natively; a fixed-size pool (what the browser has, from
//! wasm-bindgen-rayon). It must not know about scenarios: the engine sizes its demand up front.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread::{self, JoinHandle, Thread};

/// Work for one scenario thread; it may block for as long as that thread runs.
pub type Job = Box<dyn FnOnce() + Send + 'static>;

/// A spawner refused a job (Python's `RuntimeError: can't start new thread`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpawnError(pub String);

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "can't start new thread: {}", self.0)
    }
}

impl std::error::Error for SpawnError {}

/// Runs each job on a thread of its own, concurrently with every other job it runs.
///
/// A wasm-bindgen-rayon spawner is `spawn: rayon::spawn(job)` and
/// `capacity: Some(rayon::current_num_threads())`: each blocking job holds one pool thread, so
/// the engine refuses a scenario that needs more threads than `capacity`.
pub trait Spawner: Send + Sync {
    /// How many jobs can run at once; `None` when there is no fixed limit.
    fn capacity(&self) -> Option<usize>;
    fn spawn(&self, job: Job) -> Result<(), SpawnError>;
}

/// One new `std::thread` per job.
#[derive(Clone, Copy, Debug, Default)]
pub struct ThreadSpawner;

impl Spawner for ThreadSpawner {
    fn capacity(&self) -> Option<usize> {
        None
    }

    fn spawn(&self, job: Job) -> Result<(), SpawnError> {
        thread::Builder::new()
            .name("pipeline-lab-live".into())
            .spawn(job)
            .map(drop)
            .map_err(|e| SpawnError(e.to_string()))
    }
}

/// wasm-bindgen-rayon's pool of Web Workers (the threaded browser build): each job is one
/// `rayon::spawn` and holds its pool thread until it returns, so the capacity is the pool's size
/// (`initThreadPool(n)` on the page) and the engine refuses a scenario that needs more.
#[cfg(all(target_arch = "wasm32", feature = "threads"))]
#[derive(Clone, Copy, Debug, Default)]
pub struct RayonSpawner;

#[cfg(all(target_arch = "wasm32", feature = "threads"))]
impl Spawner for RayonSpawner {
    fn capacity(&self) -> Option<usize> {
        Some(rayon::current_num_threads())
    }

    fn spawn(&self, job: Job) -> Result<(), SpawnError> {
        rayon::spawn(job);
        Ok(())
    }
}

/// Spawns through one long-lived job of another spawner (the relay), so that the caller only
/// pushes onto a list and unparks the relay: it never waits on a lock that the pool's threads
/// hold. The browser's main thread needs this: rayon's wake-up of a sleeping pool thread takes
/// that thread's sleep lock, and a contended lock there throws "Atomics.wait cannot be called
/// in this context". The relay costs one of the pool's threads.
pub struct RelaySpawner {
    inner: &'static dyn Spawner,
    relay: Arc<Relay>,
}

#[derive(Default)]
struct Relay {
    jobs: Mutex<Vec<Job>>,
    thread: OnceLock<Thread>,
    failed: OnceLock<SpawnError>,
    closed: AtomicBool,
}

impl RelaySpawner {
    /// Starts the relay on `inner` (this one spawn is made by the caller).
    pub fn new(inner: &'static dyn Spawner) -> Result<RelaySpawner, SpawnError> {
        let relay = Arc::new(Relay::default());
        let r = relay.clone();
        inner.spawn(Box::new(move || r.run(inner)))?;
        Ok(RelaySpawner { inner, relay })
    }
}

impl Relay {
    fn run(&self, inner: &dyn Spawner) {
        let _ = self.thread.set(thread::current());
        loop {
            // Taken before the check, so a job pushed before `closed` still starts.
            let jobs =
                std::mem::take(&mut *self.jobs.lock().unwrap_or_else(PoisonError::into_inner));
            for job in jobs {
                if let Err(e) = inner.spawn(job) {
                    let _ = self.failed.set(e);
                }
            }
            if self.closed.load(Ordering::SeqCst) {
                return;
            }
            thread::park();
        }
    }
}

impl Spawner for RelaySpawner {
    fn capacity(&self) -> Option<usize> {
        self.inner.capacity().map(|c| c.saturating_sub(1))
    }

    /// Never blocks: a lock held for a swap at most, taken by spinning, and an unpark.
    fn spawn(&self, job: Job) -> Result<(), SpawnError> {
        if let Some(e) = self.relay.failed.get() {
            return Err(e.clone());
        }
        crate::live::lock::lock_spin(&self.relay.jobs).push(job);
        // Not registered yet: the relay looks at the list when it starts.
        if let Some(t) = self.relay.thread.get() {
            t.unpark();
        }
        Ok(())
    }
}

impl Drop for RelaySpawner {
    fn drop(&mut self) {
        self.relay.closed.store(true, Ordering::SeqCst);
        if let Some(t) = self.relay.thread.get() {
            t.unpark();
        }
    }
}

/// `size` threads that take jobs from a channel, as the browser's fixed pool does. A job that
/// finds every thread busy waits in the channel until one is free.
pub struct PoolSpawner {
    size: usize,
    jobs: Mutex<Option<Sender<Job>>>,
    idle: Arc<AtomicUsize>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl PoolSpawner {
    pub fn new(size: usize) -> PoolSpawner {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let idle = Arc::new(AtomicUsize::new(0));
        let threads = (0..size)
            .map(|i| {
                let (rx, idle) = (rx.clone(), idle.clone());
                thread::Builder::new()
                    .name(format!("pool-{i}"))
                    .spawn(move || pool_thread(&rx, &idle))
                    .expect("the test pool's threads start")
            })
            .collect();
        PoolSpawner {
            size,
            jobs: Mutex::new(Some(tx)),
            idle,
            threads: Mutex::new(threads),
        }
    }

    /// Pool threads waiting for a job now.
    pub fn idle(&self) -> usize {
        self.idle.load(Ordering::SeqCst)
    }

    pub fn size(&self) -> usize {
        self.size
    }
}

fn pool_thread(rx: &Mutex<Receiver<Job>>, idle: &AtomicUsize) {
    loop {
        idle.fetch_add(1, Ordering::SeqCst);
        let job = rx.lock().unwrap_or_else(PoisonError::into_inner).recv();
        idle.fetch_sub(1, Ordering::SeqCst);
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

impl Spawner for PoolSpawner {
    fn capacity(&self) -> Option<usize> {
        Some(self.size)
    }

    fn spawn(&self, job: Job) -> Result<(), SpawnError> {
        let jobs = self.jobs.lock().unwrap_or_else(PoisonError::into_inner);
        match jobs.as_ref() {
            Some(tx) => tx
                .send(job)
                .map_err(|_| SpawnError("the pool has shut down".into())),
            None => Err(SpawnError("the pool has shut down".into())),
        }
    }
}

impl Drop for PoolSpawner {
    fn drop(&mut self) {
        self.jobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let threads =
            std::mem::take(&mut *self.threads.lock().unwrap_or_else(PoisonError::into_inner));
        for t in threads {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;

    #[test]
    fn pool_runs_as_many_jobs_at_once_as_it_has_threads() {
        let pool = PoolSpawner::new(2);
        let (tx, rx) = channel();
        let (release_tx, release_rx) = channel::<()>();
        let release_rx = Arc::new(Mutex::new(release_rx));
        for i in 0..3 {
            let (tx, release_rx) = (tx.clone(), release_rx.clone());
            pool.spawn(Box::new(move || {
                tx.send(i).unwrap();
                release_rx.lock().unwrap().recv().unwrap();
            }))
            .unwrap();
        }
        let mut started = vec![rx.recv().unwrap(), rx.recv().unwrap()];
        assert!(rx
            .recv_timeout(std::time::Duration::from_millis(20))
            .is_err());
        release_tx.send(()).unwrap();
        started.push(rx.recv().unwrap());
        started.sort();
        assert_eq!(started, [0, 1, 2]);
        release_tx.send(()).unwrap();
        release_tx.send(()).unwrap();
    }

    #[test]
    fn a_relay_starts_every_job_on_the_pool_and_takes_one_of_its_threads() {
        let pool: &'static PoolSpawner = Box::leak(Box::new(PoolSpawner::new(3)));
        let relay = RelaySpawner::new(pool).unwrap();
        assert_eq!(relay.capacity(), Some(2));
        let (tx, rx) = channel();
        for round in 0..50 {
            for i in 0..2 {
                let tx = tx.clone();
                relay
                    .spawn(Box::new(move || {
                        tx.send((round, i, thread::current().name().map(str::to_owned)))
                            .unwrap();
                    }))
                    .unwrap();
            }
            for _ in 0..2 {
                let (_, _, name) = rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
                assert!(name.unwrap().starts_with("pool-"));
            }
        }
        drop(relay);
        // The relay returns once dropped: its pool thread is free again.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while pool.idle() < 3 {
            assert!(
                std::time::Instant::now() < deadline,
                "the relay never ended"
            );
            thread::yield_now();
        }
    }
}
