//! The presets: Item 55's six programs (P1..P6) and four failure modes (F1..F4), each as the
//! Python it shows and the operations that mirror it line by line. Data only.

use super::{
    Count, Expr, MemoryBudget, Op, OpKind, PrintArgs, QueueKind, QueueSpec, Scenario, Service,
    StageSpec, Text, ThreadSpec, Value,
};
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
        "p1" => p1_polling(),
        "p2" => p2_get_blocks(),
        "p3" => p3_put_blocks(),
        "p4" => p4_join(),
        "p5" => p5_closable(),
        "p6" => p6_many_workers(),
        "f1" => f1_missing_sentinel(),
        "f2" => f2_missing_task_done(),
        "f3" => f3_memory_error(),
        "f4" => f4_deadlock(),
        _ => return None,
    })
}

/// Python source with a lookup from a snippet to its line number.
struct Src(Vec<String>);

impl Src {
    fn new(text: &str) -> Src {
        Src(text
            .trim_matches('\n')
            .lines()
            .map(str::to_string)
            .collect())
    }

    /// 1-based line of the first line containing `snippet`.
    fn line(&self, snippet: &str) -> u32 {
        self.line_after(snippet, 0)
    }

    /// 1-based line of the first line after `after` containing `snippet`.
    fn line_after(&self, snippet: &str, after: u32) -> u32 {
        self.0
            .iter()
            .enumerate()
            .skip(after as usize)
            .find(|(_, l)| l.contains(snippet))
            .map(|(i, _)| i as u32 + 1)
            .unwrap_or_else(|| panic!("preset source has no line `{snippet}`"))
    }
}

fn op(line: u32, kind: OpKind) -> Op {
    Op { line, kind }
}

fn print(line: u32, text: u32) -> Op {
    op(
        line,
        OpKind::Print {
            text,
            args: PrintArgs::default(),
        },
    )
}

fn queue(name: &str, kind: QueueKind, maxsize: u32) -> QueueSpec {
    QueueSpec {
        name: name.to_string(),
        kind,
        maxsize,
    }
}

fn thread(name: &str, stage: Option<usize>, program: Vec<Op>) -> ThreadSpec {
    ThreadSpec {
        name: name.to_string(),
        stage,
        program,
    }
}

fn ms(n: u64) -> u64 {
    n * 1000
}

/// The note's stage functions are `...`: instant. Presets that animate give them a little time.
fn pipeline_stages(services: [Service; 3]) -> Vec<StageSpec> {
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

fn visible_services() -> [Service; 3] {
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

fn pipeline_queues(kind: QueueKind) -> Vec<QueueSpec> {
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

const MYQUEUE_AND_WORKER: &str = r#"
from collections import deque
from threading import Lock, Thread
import time

class MyQueue:
    def __init__(self):
        self.items = deque()
        self.lock = Lock()

    def put(self, item):
        with self.lock:
            self.items.append(item)

    def get(self):
        with self.lock:
            return self.items.popleft()

class Worker(Thread):
    def __init__(self, func, in_queue, out_queue):
        super().__init__()
        self.func = func
        self.in_queue = in_queue
        self.out_queue = out_queue
        self.polled_count = 0
        self.work_done = 0

    def run(self):
        while True:
            self.polled_count += 1
            try:
                item = self.in_queue.get()
            except IndexError:
                time.sleep(0.01)  # No work to do
            else:
                result = self.func(item)
                self.out_queue.put(result)
                self.work_done += 1
"#;

const P1_MAIN: &str = r#"
download_queue = MyQueue()
resize_queue = MyQueue()
upload_queue = MyQueue()
done_queue = MyQueue()
threads = [
    Worker(download, download_queue, resize_queue),
    Worker(resize, resize_queue, upload_queue),
    Worker(upload, upload_queue, done_queue),
]

for thread in threads:
    thread.start()

for _ in range(1000):
    download_queue.put(object())

while len(done_queue.items) < 1000:
    # Do something useful while waiting
    ...

processed = len(done_queue.items)
polled = sum(t.polled_count for t in threads)
print(f'{processed} items processed, polled {polled} times')
"#;

/// P1: the hand-made polling pipeline.
///
/// Its polled count is 3006 here against the note's 3009. The stage functions are `...`, so
/// in virtual time they take nothing. Each worker polls once at start-up, before main has put
/// anything, finds its deque empty and sleeps 10 ms; main then puts all 1000 items and
/// busy-waits. At 10 ms each worker wakes in turn, takes every item waiting for it (1000
/// successful polls), and polls once more, empty, before sleeping again: 3 x (1 + 1000 + 1)
/// = 3006. CPython adds a few empty polls to that (the note's 3009, 3011-3018 measured on
/// these machines) because its GIL hands the CPU between threads every 5 ms, so a worker
/// now and then finds its queue empty while the previous stage is paused mid-batch; the model
/// engine has no GIL, so it shows the polls that the program's logic itself makes.
fn p1_polling() -> Scenario {
    let src = Src::new(&format!(
        "{MYQUEUE_AND_WORKER}\n{}",
        P1_MAIN.trim_matches('\n')
    ));
    let (l_poll, l_get, l_sleep, l_func, l_put, l_loop) = (
        src.line("self.polled_count += 1"),
        src.line("item = self.in_queue.get()"),
        src.line("time.sleep(0.01)"),
        src.line("result = self.func(item)"),
        src.line("self.out_queue.put(result)"),
        src.line("while True:"),
    );
    let worker = |stage: usize| {
        vec![
            op(
                l_poll,
                OpKind::PollGet {
                    queue: stage,
                    on_empty: 4,
                },
            ),
            op(l_func, OpKind::Work { stage }),
            op(
                l_put,
                OpKind::Put {
                    queue: stage + 1,
                    value: Value::Held,
                },
            ),
            op(l_loop, OpKind::Jump { target: 0 }),
            op(
                l_sleep,
                OpKind::Sleep {
                    us: ms(10),
                    polling: true,
                },
            ),
            op(l_loop, OpKind::Jump { target: 0 }),
        ]
    };
    let _ = l_get;
    let start = src.line("    thread.start()");
    let main = vec![
        op(start, OpKind::Start { thread: 1 }),
        op(start, OpKind::Start { thread: 2 }),
        op(start, OpKind::Start { thread: 3 }),
        op(
            src.line("for _ in range(1000):"),
            OpKind::Repeat {
                times: Count::Items,
                end: 6,
            },
        ),
        op(
            src.line("download_queue.put(object())"),
            OpKind::Put {
                queue: 0,
                value: Value::NewItem,
            },
        ),
        op(
            src.line("for _ in range(1000):"),
            OpKind::Loop { target: 4 },
        ),
        op(
            src.line("while len(done_queue.items) < 1000:"),
            OpKind::BusyWait {
                queue: 3,
                until: Count::Items,
            },
        ),
        op(
            src.line("print(f'"),
            OpKind::Print {
                text: 0,
                args: PrintArgs(Some(Expr::QSize(3)), Some(Expr::PolledTotal)),
            },
        ),
        op(0, OpKind::End),
    ];
    let zero = Service::Const { us: 0 };
    Scenario {
        id: "p1".into(),
        title: Text::new("P1. A hand-made queue that polls", "P1. 폴링하는 직접 만든 큐"),
        summary: Text::new(
            "Workers poll a deque and sleep when it is empty; main busy-waits. Count the wasted polls.",
            "작업자는 deque 를 폴링하고 비어 있으면 잠듭니다. 메인은 바쁜 대기를 합니다. 낭비된 폴링을 세어 보세요.",
        ),
        source: src.0,
        texts: vec![Text::new(
            "{} items processed, polled {} times",
            "{} 개의 아이템을 처리했습니다, 이때 폴링을 {} 번 했습니다.",
        )],
        queues: pipeline_queues(QueueKind::Polling),
        stages: pipeline_stages([zero, zero, zero]),
        threads: vec![
            thread("main", None, main),
            thread("download", Some(0), worker(0)),
            thread("resize", Some(1), worker(1)),
            thread("upload", Some(2), worker(2)),
        ],
        items: 1000,
        done_queue: Some(3),
        seed: 1,
        memory: None,
    }
}

const P2: &str = r#"
from queue import Queue
from threading import Thread

my_queue = Queue()

def consumer():
    print('consumer waiting')
    my_queue.get()              # Runs after put() below
    print('consumer done')

thread = Thread(target=consumer)
thread.start()

print('producer putting')
my_queue.put(object())          # Runs before get() above
print('producer done')
thread.join()
"#;

/// P2: `get` blocks until an item arrives.
fn p2_get_blocks() -> Scenario {
    let src = Src::new(P2);
    let consumer = vec![
        print(src.line("print('consumer waiting')"), 0),
        op(src.line("my_queue.get()"), OpKind::Get { queue: 0 }),
        print(src.line("print('consumer done')"), 1),
        op(0, OpKind::End),
    ];
    let main = vec![
        op(src.line("thread.start()"), OpKind::Start { thread: 1 }),
        print(src.line("print('producer putting')"), 2),
        op(
            src.line("my_queue.put(object())"),
            OpKind::Put {
                queue: 0,
                value: Value::NewItem,
            },
        ),
        print(src.line("print('producer done')"), 3),
        op(src.line("thread.join()"), OpKind::JoinThread { thread: 1 }),
        op(0, OpKind::End),
    ];
    Scenario {
        id: "p2".into(),
        title: Text::new("P2. Queue: get() blocks", "P2. Queue: get() 은 블록된다"),
        summary: Text::new(
            "The consumer starts first, but get() waits until the producer puts an item.",
            "소비자가 먼저 시작하지만 get() 은 생산자가 아이템을 넣을 때까지 기다립니다.",
        ),
        source: src.0,
        texts: vec![
            Text::new("consumer waiting", "소비자 대기"),
            Text::new("consumer done", "소비자 완료"),
            Text::new("producer putting", "생산자 데이터 추가"),
            Text::new("producer done", "생산자 완료"),
        ],
        queues: vec![queue("my_queue", QueueKind::Queue, 0)],
        stages: vec![],
        threads: vec![
            thread("main", None, main),
            thread("consumer", None, consumer),
        ],
        items: 1,
        done_queue: None,
        seed: 1,
        memory: None,
    }
}

const P3: &str = r#"
my_queue = Queue(1)             # Buffer size of 1

def consumer():
    time.sleep(0.1)             # Wait
    my_queue.get()              # Runs second
    print('consumer 1')
    my_queue.get()              # Runs fourth
    print('consumer 2')
    print('consumer done')

thread = Thread(target=consumer)
thread.start()

my_queue.put(object())          # Runs first
print('producer 1')
my_queue.put(object())          # Runs third
print('producer 2')
print('producer done')
thread.join()
"#;

/// P3: `Queue(1)`: the second `put` waits for the consumer's first `get`.
fn p3_put_blocks() -> Scenario {
    let src = Src::new(P3);
    let get1 = src.line("my_queue.get()");
    let put1 = src.line("my_queue.put(object())");
    let consumer = vec![
        op(
            src.line("time.sleep(0.1)"),
            OpKind::Sleep {
                us: ms(100),
                polling: false,
            },
        ),
        op(get1, OpKind::Get { queue: 0 }),
        print(src.line("print('consumer 1')"), 0),
        op(
            src.line_after("my_queue.get()", get1),
            OpKind::Get { queue: 0 },
        ),
        print(src.line("print('consumer 2')"), 1),
        print(src.line("print('consumer done')"), 2),
        op(0, OpKind::End),
    ];
    let main = vec![
        op(src.line("thread.start()"), OpKind::Start { thread: 1 }),
        op(
            put1,
            OpKind::Put {
                queue: 0,
                value: Value::NewItem,
            },
        ),
        print(src.line("print('producer 1')"), 3),
        op(
            src.line_after("my_queue.put(object())", put1),
            OpKind::Put {
                queue: 0,
                value: Value::NewItem,
            },
        ),
        print(src.line("print('producer 2')"), 4),
        print(src.line("print('producer done')"), 5),
        op(src.line("thread.join()"), OpKind::JoinThread { thread: 1 }),
        op(0, OpKind::End),
    ];
    Scenario {
        id: "p3".into(),
        title: Text::new(
            "P3. Queue(1): put() blocks when full",
            "P3. Queue(1): 가득 차면 put() 이 블록된다",
        ),
        summary: Text::new(
            "A buffer of one: the producer's second put() waits for the consumer's first get().",
            "버퍼 크기 1: 생산자의 두 번째 put() 은 소비자의 첫 get() 을 기다립니다.",
        ),
        source: src.0,
        texts: vec![
            Text::new("consumer 1", "소비자 1"),
            Text::new("consumer 2", "소비자 2"),
            Text::new("consumer done", "소비자 완료"),
            Text::new("producer 1", "생산자 1"),
            Text::new("producer 2", "생산자 2"),
            Text::new("producer done", "생산자 완료"),
        ],
        queues: vec![queue("my_queue", QueueKind::Queue, 1)],
        stages: vec![],
        threads: vec![
            thread("main", None, main),
            thread("consumer", None, consumer),
        ],
        items: 2,
        done_queue: None,
        seed: 1,
        memory: None,
    }
}

const P4: &str = r#"
in_queue = Queue()

def consumer():
    print('consumer waiting')
    work = in_queue.get()       # Runs second
    print('consumer working')
    # Doing work
    ...
    print('consumer done')
    in_queue.task_done()        # Runs third

thread = Thread(target=consumer)
thread.start()

print('producer putting')
in_queue.put(object())          # Runs first
print('producer waiting')
in_queue.join()                 # Runs fourth
print('producer done')
thread.join()
"#;

fn p4_program(src: &Src, with_task_done: bool) -> (Vec<Op>, Vec<Op>) {
    let mut consumer = vec![
        print(src.line("print('consumer waiting')"), 0),
        op(src.line("work = in_queue.get()"), OpKind::Get { queue: 0 }),
        print(src.line("print('consumer working')"), 1),
        op(src.line("    ..."), OpKind::Work { stage: 0 }),
        print(src.line("print('consumer done')"), 2),
    ];
    if with_task_done {
        consumer.push(op(
            src.line("in_queue.task_done()"),
            OpKind::TaskDone { queue: 0 },
        ));
    }
    consumer.push(op(0, OpKind::End));
    let main = vec![
        op(src.line("thread.start()"), OpKind::Start { thread: 1 }),
        print(src.line("print('producer putting')"), 3),
        op(
            src.line("in_queue.put(object())"),
            OpKind::Put {
                queue: 0,
                value: Value::NewItem,
            },
        ),
        print(src.line("print('producer waiting')"), 4),
        op(src.line("in_queue.join()"), OpKind::Join { queue: 0 }),
        print(src.line("print('producer done')"), 5),
        op(src.line("thread.join()"), OpKind::JoinThread { thread: 1 }),
        op(0, OpKind::End),
    ];
    (main, consumer)
}

fn p4_texts() -> Vec<Text> {
    vec![
        Text::new("consumer waiting", "소비자 대기"),
        Text::new("consumer working", "소비자 작업 중"),
        Text::new("consumer done", "소비자 완료"),
        Text::new("producer putting", "생산자 데이터 추가"),
        Text::new("producer waiting", "생산자 대기"),
        Text::new("producer done", "생산자 완료"),
    ]
}

fn p4_stage() -> Vec<StageSpec> {
    vec![StageSpec {
        name: "work".into(),
        service: Service::Const { us: ms(50) },
        input: 0,
        output: None,
    }]
}

/// P4: `task_done` and `Queue.join`.
fn p4_join() -> Scenario {
    let src = Src::new(P4);
    let (main, consumer) = p4_program(&src, true);
    Scenario {
        id: "p4".into(),
        title: Text::new("P4. task_done() and join()", "P4. task_done() 과 join()"),
        summary: Text::new(
            "join() returns only when task_done() was called for every item put, even if the queue is empty.",
            "join() 은 넣은 모든 아이템에 task_done() 이 호출되어야 반환됩니다. 큐가 비어 있어도요.",
        ),
        source: src.0,
        texts: p4_texts(),
        queues: vec![queue("in_queue", QueueKind::Queue, 0)],
        stages: p4_stage(),
        threads: vec![thread("main", None, main), thread("consumer", None, consumer)],
        items: 1,
        done_queue: None,
        seed: 1,
        memory: None,
    }
}

const CLOSABLE_AND_STOPPABLE: &str = r#"
from queue import Queue
from threading import Thread

class ClosableQueue(Queue):
    SENTINEL = object()

    def close(self):
        self.put(self.SENTINEL)

    def __iter__(self):
        while True:
            item = self.get()
            try:
                if item is self.SENTINEL:
                    return  # Cause the thread to exit
                yield item
            finally:
                self.task_done()

class StoppableWorker(Thread):
    def __init__(self, func, in_queue, out_queue):
        super().__init__()
        self.func = func
        self.in_queue = in_queue
        self.out_queue = out_queue

    def run(self):
        for item in self.in_queue:
            result = self.func(item)
            self.out_queue.put(result)
"#;

/// `for item in self.in_queue: self.out_queue.put(self.func(item))` over a `ClosableQueue`.
pub(crate) fn stoppable_worker(
    src_lines: &[String],
    stage: usize,
    input: usize,
    output: usize,
) -> Vec<Op> {
    let src = Src(src_lines.to_vec());
    let l_for = src.line("for item in self.in_queue:");
    let l_td = src.line("self.task_done()");
    vec![
        op(l_for, OpKind::Get { queue: input }),
        op(
            src.line("if item is self.SENTINEL:"),
            OpKind::IfSentinel { target: 6 },
        ),
        op(src.line("result = self.func(item)"), OpKind::Work { stage }),
        op(
            src.line("self.out_queue.put(result)"),
            OpKind::Put {
                queue: output,
                value: Value::Held,
            },
        ),
        op(l_td, OpKind::TaskDone { queue: input }),
        op(l_for, OpKind::Jump { target: 0 }),
        op(l_td, OpKind::TaskDone { queue: input }),
        op(src.line("return  # Cause the thread to exit"), OpKind::End),
    ]
}

pub(crate) fn closable_source() -> &'static str {
    CLOSABLE_AND_STOPPABLE
}

pub(crate) fn items_processed() -> Text {
    Text::new("{} items processed", "{} 개의 원소가 처리됨")
}

const P5_MAIN: &str = r#"
download_queue = ClosableQueue()
resize_queue = ClosableQueue()
upload_queue = ClosableQueue()
done_queue = ClosableQueue()
threads = [
    StoppableWorker(download, download_queue, resize_queue),
    StoppableWorker(resize, resize_queue, upload_queue),
    StoppableWorker(upload, upload_queue, done_queue),
]

for thread in threads:
    thread.start()

for _ in range(1000):
    download_queue.put(object())

download_queue.close()
download_queue.join()
resize_queue.close()
resize_queue.join()
upload_queue.close()
upload_queue.join()
print(done_queue.qsize(), 'items processed')

for thread in threads:
    thread.join()
"#;

/// P5: `ClosableQueue` and `StoppableWorker`: a pipeline that stops.
fn p5_closable() -> Scenario {
    let src = Src::new(&format!(
        "{CLOSABLE_AND_STOPPABLE}\n{}",
        P5_MAIN.trim_matches('\n')
    ));
    let start = src.line("    thread.start()");
    let join = src.line("    thread.join()");
    let mut main = vec![
        op(start, OpKind::Start { thread: 1 }),
        op(start, OpKind::Start { thread: 2 }),
        op(start, OpKind::Start { thread: 3 }),
    ];
    main.extend(put_items(&src, "for _ in range(1000):", 0, main.len()));
    for (q, name) in ["download_queue", "resize_queue", "upload_queue"]
        .iter()
        .enumerate()
    {
        main.push(op(
            src.line(&format!("{name}.close()")),
            OpKind::Close { queue: q },
        ));
        main.push(op(
            src.line(&format!("{name}.join()")),
            OpKind::Join { queue: q },
        ));
    }
    main.push(op(
        src.line("print(done_queue.qsize()"),
        OpKind::Print {
            text: 0,
            args: PrintArgs(Some(Expr::QSize(3)), None),
        },
    ));
    for t in 1..=3 {
        main.push(op(join, OpKind::JoinThread { thread: t }));
    }
    main.push(op(0, OpKind::End));
    let threads = vec![
        thread("main", None, main),
        thread("download", Some(0), stoppable_worker(&src.0, 0, 0, 1)),
        thread("resize", Some(1), stoppable_worker(&src.0, 1, 1, 2)),
        thread("upload", Some(2), stoppable_worker(&src.0, 2, 2, 3)),
    ];
    Scenario {
        id: "p5".into(),
        title: Text::new("P5. ClosableQueue: a pipeline that stops", "P5. ClosableQueue: 멈출 수 있는 파이프라인"),
        summary: Text::new(
            "Blocking get() ends the polling; close() puts a SENTINEL that tells each worker to stop.",
            "블로킹 get() 이 폴링을 없애고, close() 가 넣는 센티넬이 작업자에게 멈추라고 알립니다.",
        ),
        source: src.0,
        texts: vec![items_processed()],
        queues: pipeline_queues(QueueKind::Closable),
        stages: pipeline_stages(visible_services()),
        threads,
        items: 1000,
        done_queue: Some(3),
        seed: 1,
        memory: None,
    }
}

/// `for _ in range(N): download_queue.put(object())` starting at op index `at`.
fn put_items(src: &Src, for_line: &str, queue: usize, at: usize) -> Vec<Op> {
    let l_for = src.line(for_line);
    vec![
        op(
            l_for,
            OpKind::Repeat {
                times: Count::Items,
                end: at + 3,
            },
        ),
        op(
            src.line("download_queue.put(object())"),
            OpKind::Put {
                queue,
                value: Value::NewItem,
            },
        ),
        op(l_for, OpKind::Loop { target: at + 1 }),
    ]
}

const START_STOP: &str = r#"
def start_threads(count, *args):
    threads = [StoppableWorker(*args) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads

def stop_threads(closable_queue, threads):
    for _ in threads:
        closable_queue.close()

    closable_queue.join()

    for thread in threads:
        thread.join()
"#;

const P6_MAIN: &str = r#"
download_queue = ClosableQueue()
resize_queue = ClosableQueue()
upload_queue = ClosableQueue()
done_queue = ClosableQueue()

download_threads = start_threads(
    3, download, download_queue, resize_queue)
resize_threads = start_threads(
    4, resize, resize_queue, upload_queue)
upload_threads = start_threads(
    5, upload, upload_queue, done_queue)

for _ in range(1000):
    download_queue.put(object())

stop_threads(download_queue, download_threads)
stop_threads(resize_queue, resize_threads)
stop_threads(upload_queue, upload_threads)

print(done_queue.qsize(), 'items processed')
"#;

/// P6's main program over `src` (which holds START_STOP and a P6-shaped main); `sentinels`
/// gives each stage's `for _ in threads` count.
fn p6_main(src: &Src, sentinels: [Count; 3]) -> Vec<Op> {
    let start = src.line("        thread.start()");
    let mut main = Vec::new();
    for (s, name) in ["download_threads", "resize_threads", "upload_threads"]
        .iter()
        .enumerate()
    {
        let _ = src.line(name);
        main.push(op(start, OpKind::StartStage { stage: s }));
    }
    main.extend(put_items(src, "for _ in range(1000):", 0, main.len()));
    let l_for = src.line("    for _ in ");
    let l_close = src.line("closable_queue.close()");
    let l_join = src.line("closable_queue.join()");
    let l_tjoin = src.line("        thread.join()");
    for (s, times) in sentinels.into_iter().enumerate() {
        let at = main.len();
        main.push(op(l_for, OpKind::Repeat { times, end: at + 3 }));
        main.push(op(l_close, OpKind::Close { queue: s }));
        main.push(op(l_for, OpKind::Loop { target: at + 1 }));
        main.push(op(l_join, OpKind::Join { queue: s }));
        main.push(op(l_tjoin, OpKind::JoinStage { stage: s }));
    }
    main.push(op(
        src.line("print(done_queue.qsize()"),
        OpKind::Print {
            text: 0,
            args: PrintArgs(Some(Expr::QSize(3)), None),
        },
    ));
    main.push(op(0, OpKind::End));
    main
}

fn p6_threads(src: &Src, main: Vec<Op>, counts: [usize; 3]) -> Vec<ThreadSpec> {
    let mut threads = vec![thread("main", None, main)];
    for (s, (name, n)) in ["download", "resize", "upload"]
        .iter()
        .zip(counts)
        .enumerate()
    {
        for k in 1..=n {
            threads.push(thread(
                &format!("{name}-{k}"),
                Some(s),
                stoppable_worker(&src.0, s, s, s + 1),
            ));
        }
    }
    threads
}

/// P6: several workers a stage, stopped with one SENTINEL each.
fn p6_many_workers() -> Scenario {
    let src = Src::new(&format!(
        "{CLOSABLE_AND_STOPPABLE}\n{}\n{}",
        START_STOP.trim_matches('\n'),
        P6_MAIN.trim_matches('\n')
    ));
    let main = p6_main(
        &src,
        [Count::Workers(0), Count::Workers(1), Count::Workers(2)],
    );
    Scenario {
        id: "p6".into(),
        title: Text::new("P6. Several workers a stage", "P6. 단계마다 여러 작업자"),
        summary: Text::new(
            "3 download, 4 resize and 5 upload workers share each stage's queue: more I/O in parallel.",
            "다운로드 3, 리사이즈 4, 업로드 5 작업자가 단계의 큐를 나눠 씁니다: I/O 병렬성이 높아집니다.",
        ),
        threads: p6_threads(&src, main, [3, 4, 5]),
        source: src.0,
        texts: vec![items_processed()],
        queues: pipeline_queues(QueueKind::Closable),
        stages: pipeline_stages(visible_services()),
        items: 1000,
        done_queue: Some(3),
        seed: 1,
        memory: None,
    }
}

/// F1: `stop_threads` puts one SENTINEL fewer than there are workers.
fn f1_missing_sentinel() -> Scenario {
    let stop = START_STOP.replace(
        "    for _ in threads:",
        "    for _ in threads[1:]:  # one SENTINEL short!",
    );
    let src = Src::new(&format!(
        "{CLOSABLE_AND_STOPPABLE}\n{}\n{}",
        stop.trim_matches('\n'),
        P6_MAIN.trim_matches('\n')
    ));
    let main = p6_main(&src, [Count::Const(2), Count::Const(3), Count::Const(4)]);
    Scenario {
        id: "f1".into(),
        title: Text::new("F1. One SENTINEL short", "F1. 센티넬 하나 부족"),
        summary: Text::new(
            "stop_threads closes the queue once fewer than it has workers: one worker never ends and thread.join() hangs.",
            "stop_threads 가 작업자 수보다 하나 적게 close 합니다: 한 작업자가 끝나지 않아 thread.join() 이 멈춥니다.",
        ),
        threads: p6_threads(&src, main, [3, 4, 5]),
        source: src.0,
        texts: vec![items_processed()],
        queues: pipeline_queues(QueueKind::Closable),
        stages: pipeline_stages(visible_services()),
        items: 1000,
        done_queue: Some(3),
        seed: 1,
        memory: None,
    }
}

/// F2: a consumer that forgets `task_done`.
fn f2_missing_task_done() -> Scenario {
    let src = Src::new(&P4.replace(
        "    in_queue.task_done()        # Runs third",
        "    # in_queue.task_done()      # forgotten!",
    ));
    let (main, consumer) = p4_program(&src, false);
    Scenario {
        id: "f2".into(),
        title: Text::new("F2. A forgotten task_done()", "F2. 잊어버린 task_done()"),
        summary: Text::new(
            "The consumer never calls task_done(), so in_queue.join() waits forever.",
            "소비자가 task_done() 을 호출하지 않아 in_queue.join() 이 영원히 기다립니다.",
        ),
        source: src.0,
        texts: p4_texts(),
        queues: vec![queue("in_queue", QueueKind::Queue, 0)],
        stages: p4_stage(),
        threads: vec![
            thread("main", None, main),
            thread("consumer", None, consumer),
        ],
        items: 1,
        done_queue: None,
        seed: 1,
        memory: None,
    }
}

const F3_MAIN: &str = r#"
download_queue = ClosableQueue()
resize_queue = ClosableQueue()   # unbounded, in front of the slow stage
upload_queue = ClosableQueue()
done_queue = ClosableQueue()
threads = [
    StoppableWorker(download, download_queue, resize_queue),
    StoppableWorker(resize, resize_queue, upload_queue),   # slow
    StoppableWorker(upload, upload_queue, done_queue),
]

for thread in threads:
    thread.start()

for _ in range(10000):           # one 1 MiB image every millisecond
    download_queue.put(object())
    time.sleep(0.001)

download_queue.close()
download_queue.join()
resize_queue.close()
resize_queue.join()
upload_queue.close()
upload_queue.join()
print(done_queue.qsize(), 'items processed')
"#;

/// F3: an unbounded queue in front of a slow stage grows until `MemoryError`.
fn f3_memory_error() -> Scenario {
    let src = Src::new(&format!(
        "{CLOSABLE_AND_STOPPABLE}\n{}",
        F3_MAIN.trim_matches('\n')
    ));
    let start = src.line("    thread.start()");
    let l_for = src.line("for _ in range(10000):");
    let mut main = vec![
        op(start, OpKind::Start { thread: 1 }),
        op(start, OpKind::Start { thread: 2 }),
        op(start, OpKind::Start { thread: 3 }),
        op(
            l_for,
            OpKind::Repeat {
                times: Count::Items,
                end: 7,
            },
        ),
        op(
            src.line("download_queue.put(object())"),
            OpKind::Put {
                queue: 0,
                value: Value::NewItem,
            },
        ),
        op(
            src.line("time.sleep(0.001)"),
            OpKind::Sleep {
                us: ms(1),
                polling: false,
            },
        ),
        op(l_for, OpKind::Loop { target: 4 }),
    ];
    for (q, name) in ["download_queue", "resize_queue", "upload_queue"]
        .iter()
        .enumerate()
    {
        main.push(op(
            src.line(&format!("{name}.close()")),
            OpKind::Close { queue: q },
        ));
        main.push(op(
            src.line(&format!("{name}.join()")),
            OpKind::Join { queue: q },
        ));
    }
    main.push(op(
        src.line("print(done_queue.qsize()"),
        OpKind::Print {
            text: 0,
            args: PrintArgs(Some(Expr::QSize(3)), None),
        },
    ));
    main.push(op(0, OpKind::End));
    let services = [
        Service::Exp { mean_us: 500 },
        Service::Exp { mean_us: ms(4) },
        Service::Exp { mean_us: 500 },
    ];
    let threads = vec![
        thread("main", None, main),
        thread("download", Some(0), stoppable_worker(&src.0, 0, 0, 1)),
        thread("resize", Some(1), stoppable_worker(&src.0, 1, 1, 2)),
        thread("upload", Some(2), stoppable_worker(&src.0, 2, 2, 3)),
    ];
    Scenario {
        id: "f3".into(),
        title: Text::new("F3. Unbounded queue, slow stage: MemoryError", "F3. 무한 큐와 느린 단계: MemoryError"),
        summary: Text::new(
            "Items arrive at 1000/s but resize manages 250/s: resize_queue grows until memory runs out.",
            "아이템은 초당 1000 개 들어오지만 리사이즈는 초당 250 개: resize_queue 가 메모리가 바닥날 때까지 커집니다.",
        ),
        source: src.0,
        texts: vec![items_processed()],
        queues: pipeline_queues(QueueKind::Closable),
        stages: pipeline_stages(services),
        threads,
        items: 10_000,
        done_queue: Some(3),
        seed: 1,
        memory: Some(MemoryBudget {
            item_bytes: 1 << 20,
            budget_bytes: 1 << 30,
        }),
    }
}

const F4: &str = r#"
in_queue = Queue(2)
out_queue = Queue(2)

def worker():
    for _ in range(10):
        item = in_queue.get()
        result = work(item)
        out_queue.put(result)    # blocks: nobody reads out_queue yet

thread = Thread(target=worker)
thread.start()

for _ in range(10):
    in_queue.put(object())       # blocks: in_queue is full
for _ in range(10):
    out_queue.get()
thread.join()
print('done')
"#;

/// F4: a deadlock through full bounded queues: main fills `in_queue` before it reads
/// `out_queue`, and the worker cannot put its results.
fn f4_deadlock() -> Scenario {
    let src = Src::new(F4);
    let l_wfor = src.line("    for _ in range(10):");
    let worker = vec![
        op(
            l_wfor,
            OpKind::Repeat {
                times: Count::Const(10),
                end: 5,
            },
        ),
        op(src.line("item = in_queue.get()"), OpKind::Get { queue: 0 }),
        op(src.line("result = work(item)"), OpKind::Work { stage: 0 }),
        op(
            src.line("out_queue.put(result)"),
            OpKind::Put {
                queue: 1,
                value: Value::Held,
            },
        ),
        op(l_wfor, OpKind::Loop { target: 1 }),
        op(0, OpKind::End),
    ];
    let l_put_for = src.line_after("for _ in range(10):", l_wfor);
    let l_get_for = src.line_after("for _ in range(10):", l_put_for);
    let main = vec![
        op(src.line("thread.start()"), OpKind::Start { thread: 1 }),
        op(
            l_put_for,
            OpKind::Repeat {
                times: Count::Items,
                end: 4,
            },
        ),
        op(
            src.line("in_queue.put(object())"),
            OpKind::Put {
                queue: 0,
                value: Value::NewItem,
            },
        ),
        op(l_put_for, OpKind::Loop { target: 2 }),
        op(
            l_get_for,
            OpKind::Repeat {
                times: Count::Items,
                end: 7,
            },
        ),
        op(src.line("out_queue.get()"), OpKind::Get { queue: 1 }),
        op(l_get_for, OpKind::Loop { target: 5 }),
        op(src.line("thread.join()"), OpKind::JoinThread { thread: 1 }),
        print(src.line("print('done')"), 0),
        op(0, OpKind::End),
    ];
    Scenario {
        id: "f4".into(),
        title: Text::new("F4. Deadlock through full queues", "F4. 가득 찬 큐로 인한 교착 상태"),
        summary: Text::new(
            "Main fills in_queue before reading out_queue; the worker cannot put its results: both wait forever.",
            "메인은 out_queue 를 읽기 전에 in_queue 를 채우고, 작업자는 결과를 넣지 못합니다: 둘 다 영원히 기다립니다.",
        ),
        source: src.0,
        texts: vec![Text::new("done", "완료")],
        queues: vec![
            queue("in_queue", QueueKind::Queue, 2),
            queue("out_queue", QueueKind::Queue, 2),
        ],
        stages: vec![StageSpec {
            name: "work".into(),
            service: Service::Const { us: ms(10) },
            input: 0,
            output: Some(1),
        }],
        threads: vec![thread("main", None, main), thread("worker", None, worker)],
        items: 10,
        done_queue: Some(1),
        seed: 1,
        memory: None,
    }
}
