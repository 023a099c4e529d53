//! P1, the note's hand-made polling pipeline: a `MyQueue` deque and workers that poll it and
//! sleep when it is empty, while main busy-waits. Data only.

use super::asm::{Program, Src};
use super::{ms, pipeline_queues, pipeline_stages, thread};
use crate::scenario::{
    Count, Expr, OpKind, PrintArgs, QueueKind, Scenario, Service, Sink, Text, Value,
};

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
pub(super) fn p1_polling() -> Scenario {
    let src = Src::new(&format!(
        "{MYQUEUE_AND_WORKER}\n{}",
        P1_MAIN.trim_matches('\n')
    ));
    let (l_poll, l_sleep, l_func, l_put, l_loop) = (
        src.line("self.polled_count += 1"),
        src.line("time.sleep(0.01)"),
        src.line("result = self.func(item)"),
        src.line("self.out_queue.put(result)"),
        src.line("while True:"),
    );
    // The `get` of `item = self.in_queue.get()` is the poll itself, marked at the count's line.
    let _ = src.line("item = self.in_queue.get()");
    let worker = |stage: usize| {
        Program::new()
            .label("poll")
            .poll_get(l_poll, stage, "nap")
            .op(l_func, OpKind::Work { stage })
            .op(
                l_put,
                OpKind::Put {
                    queue: stage + 1,
                    value: Value::Held,
                },
            )
            .jump(l_loop, "poll")
            .label("nap")
            .op(
                l_sleep,
                OpKind::Sleep {
                    us: ms(10),
                    polling: true,
                },
            )
            .jump(l_loop, "poll")
            .finish()
    };
    let start = src.line("    thread.start()");
    let l_for = src.line("for _ in range(1000):");
    let main = Program::new()
        .op(start, OpKind::Start { thread: 1 })
        .op(start, OpKind::Start { thread: 2 })
        .op(start, OpKind::Start { thread: 3 })
        .repeat(l_for, Count::Items, "wait")
        .label("put")
        .op(
            src.line("download_queue.put(object())"),
            OpKind::Put {
                queue: 0,
                value: Value::NewItem,
            },
        )
        .loop_back(l_for, "put")
        .label("wait")
        .op(
            src.line("while len(done_queue.items) < 1000:"),
            OpKind::BusyWait {
                queue: 3,
                until: Count::Items,
            },
        )
        .op(
            src.line("print(f'"),
            OpKind::Print {
                text: 0,
                args: PrintArgs(Some(Expr::QSize(3)), Some(Expr::PolledTotal)),
            },
        )
        .op(0, OpKind::End)
        .finish();
    let zero = Service::Const { us: 0 };
    Scenario {
        id: "p1".into(),
        title: Text::new("P1. A hand-made queue that polls", "P1. 폴링하는 직접 만든 큐"),
        summary: Text::new(
            "Workers poll a deque and sleep when it is empty; main busy-waits. Count the wasted polls.",
            "작업자는 deque을 폴링하고 비어 있으면 잠듭니다. 메인은 바쁜 대기를 합니다. 낭비된 폴링을 세어 보세요.",
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
        sink: Sink::Keep,
    }
}
