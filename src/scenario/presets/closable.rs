//! P5 and P6: `ClosableQueue` and `StoppableWorker`, a pipeline that stops, with one worker a
//! stage (P5) or several, each sent its own SENTINEL (P6); the pieces the builder and F1/F3
//! reuse. Data only.

use super::asm::{Program, Src};
use super::{pipeline_queues, pipeline_stages, thread, visible_services};
use crate::scenario::{
    Count, Expr, Op, OpKind, PrintArgs, QueueKind, Scenario, Sink, Text, ThreadSpec, Value,
};

pub(super) const CLOSABLE_AND_STOPPABLE: &str = r#"
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
    // The `for` asks `__iter__` for the next item: the thread waits in `item = self.get()`,
    // the innermost frame, as a debugger shows it.
    Program::new()
        .label("next")
        .op(src.line("item = self.get()"), OpKind::Get { queue: input })
        .if_sentinel(src.line("if item is self.SENTINEL:"), "sentinel")
        .op(src.line("result = self.func(item)"), OpKind::Work { stage })
        .op(
            src.line("self.out_queue.put(result)"),
            OpKind::Put {
                queue: output,
                value: Value::Held,
            },
        )
        .op(l_td, OpKind::TaskDone { queue: input })
        .jump(l_for, "next")
        .label("sentinel")
        .op(l_td, OpKind::TaskDone { queue: input })
        .op(src.line("return  # Cause the thread to exit"), OpKind::End)
        .finish()
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
pub(super) fn p5_closable() -> Scenario {
    let src = Src::new(&format!(
        "{CLOSABLE_AND_STOPPABLE}\n{}",
        P5_MAIN.trim_matches('\n')
    ));
    let start = src.line("    thread.start()");
    let join = src.line("    thread.join()");
    let mut main = Program::new();
    main.op(start, OpKind::Start { thread: 1 })
        .op(start, OpKind::Start { thread: 2 })
        .op(start, OpKind::Start { thread: 3 });
    put_items(&mut main, &src, "for _ in range(1000):", 0);
    for (q, name) in ["download_queue", "resize_queue", "upload_queue"]
        .iter()
        .enumerate()
    {
        main.op(
            src.line(&format!("{name}.close()")),
            OpKind::Close { queue: q },
        )
        .op(
            src.line(&format!("{name}.join()")),
            OpKind::Join { queue: q },
        );
    }
    main.op(
        src.line("print(done_queue.qsize()"),
        OpKind::Print {
            text: 0,
            args: PrintArgs(Some(Expr::QSize(3)), None),
        },
    );
    for t in 1..=3 {
        main.op(join, OpKind::JoinThread { thread: t });
    }
    let main = main.op(0, OpKind::End).finish();
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
            "블로킹 get()이 폴링을 없애고, close()가 넣는 센티넬이 작업자에게 멈추라고 알립니다.",
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
        sink: Sink::Keep,
    }
}

/// `for _ in range(N): download_queue.put(object())`, appended to `program`.
fn put_items(program: &mut Program, src: &Src, for_line: &str, queue: usize) {
    let l_for = src.line(for_line);
    program
        .repeat(l_for, Count::Items, "items_put")
        .label("put_item")
        .op(
            src.line("download_queue.put(object())"),
            OpKind::Put {
                queue,
                value: Value::NewItem,
            },
        )
        .loop_back(l_for, "put_item")
        .label("items_put");
}

pub(super) const START_STOP: &str = r#"
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

pub(super) const P6_MAIN: &str = r#"
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
pub(super) fn p6_main(src: &Src, sentinels: [Count; 3]) -> Vec<Op> {
    let start = src.line("        thread.start()");
    let mut main = Program::new();
    for (s, name) in ["download_threads", "resize_threads", "upload_threads"]
        .iter()
        .enumerate()
    {
        let _ = src.line(name);
        main.op(start, OpKind::StartStage { stage: s });
    }
    put_items(&mut main, src, "for _ in range(1000):", 0);
    let l_for = src.line("    for _ in ");
    let l_close = src.line("closable_queue.close()");
    let l_join = src.line("closable_queue.join()");
    let l_tjoin = src.line("        thread.join()");
    for (s, times) in sentinels.into_iter().enumerate() {
        let (close, closed) = (format!("close_{s}"), format!("closed_{s}"));
        main.repeat(l_for, times, &closed)
            .label(close.as_str())
            .op(l_close, OpKind::Close { queue: s })
            .loop_back(l_for, &close)
            .label(closed)
            .op(l_join, OpKind::Join { queue: s })
            .op(l_tjoin, OpKind::JoinStage { stage: s });
    }
    main.op(
        src.line("print(done_queue.qsize()"),
        OpKind::Print {
            text: 0,
            args: PrintArgs(Some(Expr::QSize(3)), None),
        },
    )
    .op(0, OpKind::End)
    .finish()
}

pub(super) fn p6_threads(src: &Src, main: Vec<Op>, counts: [usize; 3]) -> Vec<ThreadSpec> {
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
pub(super) fn p6_many_workers() -> Scenario {
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
        sink: Sink::Keep,
    }
}
