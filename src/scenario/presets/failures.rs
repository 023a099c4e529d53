//! F1..F4, the ways the note's pipelines fail: one SENTINEL short (a worker never ends), a
//! forgotten `task_done` (`join` never returns), an unbounded queue before a slow stage
//! (`MemoryError`), and a deadlock through full bounded queues. Data only.

use super::asm::{Program, Src};
use super::blocking::{p4_program, p4_stage, p4_texts, P4};
use super::closable::{
    items_processed, p6_main, p6_threads, stoppable_worker, CLOSABLE_AND_STOPPABLE, P6_MAIN,
    START_STOP,
};
use super::{ms, pipeline_queues, pipeline_stages, queue, thread, visible_services};
use crate::scenario::{
    Count, Expr, MemoryBudget, OpKind, PrintArgs, QueueKind, Scenario, Service, Sink, StageSpec,
    Text, Value,
};

/// F1: `stop_threads` puts one SENTINEL fewer than there are workers.
pub(super) fn f1_missing_sentinel() -> Scenario {
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
            "stop_threads가 작업자 수보다 하나 적게 close 합니다: 한 작업자가 끝나지 않아 thread.join()이 멈춥니다.",
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

/// F2: a consumer that forgets `task_done`.
pub(super) fn f2_missing_task_done() -> Scenario {
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
            "소비자가 task_done()을 호출하지 않아 in_queue.join()이 영원히 기다립니다.",
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
        sink: Sink::Keep,
    }
}

const F3_MAIN: &str = r#"
download_queue = ClosableQueue()
resize_queue = ClosableQueue()   # unbounded, in front of the slow stage
upload_queue = ClosableQueue()
done_queue = ClosableQueue()    # upload results: a few bytes each
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
pub(super) fn f3_memory_error() -> Scenario {
    let src = Src::new(&format!(
        "{CLOSABLE_AND_STOPPABLE}\n{}",
        F3_MAIN.trim_matches('\n')
    ));
    let start = src.line("    thread.start()");
    let l_for = src.line("for _ in range(10000):");
    let mut main = Program::new();
    main.op(start, OpKind::Start { thread: 1 })
        .op(start, OpKind::Start { thread: 2 })
        .op(start, OpKind::Start { thread: 3 })
        .repeat(l_for, Count::Items, "items_put")
        .label("put_item")
        .op(
            src.line("download_queue.put(object())"),
            OpKind::Put {
                queue: 0,
                value: Value::NewItem,
            },
        )
        .op(
            src.line("time.sleep(0.001)"),
            OpKind::Sleep {
                us: ms(1),
                polling: false,
            },
        )
        .loop_back(l_for, "put_item")
        .label("items_put");
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
    let main = main
        .op(
            src.line("print(done_queue.qsize()"),
            OpKind::Print {
                text: 0,
                args: PrintArgs(Some(Expr::QSize(3)), None),
            },
        )
        .op(0, OpKind::End)
        .finish();
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
            "아이템은 초당 1000개 들어오지만 리사이즈는 초당 250개: resize_queue가 메모리가 바닥날 때까지 커집니다.",
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
        // What `done_queue` keeps is an upload's result, not the image: the budget counts the
        // images in the pipeline, so that bounding the queues is the whole fix (compare mode's
        // F3 pair).
        sink: Sink::Count,
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
pub(super) fn f4_deadlock() -> Scenario {
    let src = Src::new(F4);
    let l_wfor = src.line("    for _ in range(10):");
    let worker = Program::new()
        .repeat(l_wfor, Count::Const(10), "done")
        .label("get")
        .op(src.line("item = in_queue.get()"), OpKind::Get { queue: 0 })
        .op(src.line("result = work(item)"), OpKind::Work { stage: 0 })
        .op(
            src.line("out_queue.put(result)"),
            OpKind::Put {
                queue: 1,
                value: Value::Held,
            },
        )
        .loop_back(l_wfor, "get")
        .label("done")
        .op(0, OpKind::End)
        .finish();
    let l_put_for = src.line_after("for _ in range(10):", l_wfor);
    let l_get_for = src.line_after("for _ in range(10):", l_put_for);
    let main = Program::new()
        .op(src.line("thread.start()"), OpKind::Start { thread: 1 })
        .repeat(l_put_for, Count::Items, "all_put")
        .label("put")
        .op(
            src.line("in_queue.put(object())"),
            OpKind::Put {
                queue: 0,
                value: Value::NewItem,
            },
        )
        .loop_back(l_put_for, "put")
        .label("all_put")
        .repeat(l_get_for, Count::Items, "all_got")
        .label("get")
        .op(src.line("out_queue.get()"), OpKind::Get { queue: 1 })
        .loop_back(l_get_for, "get")
        .label("all_got")
        .op(src.line("thread.join()"), OpKind::JoinThread { thread: 1 })
        .print(src.line("print('done')"), 0)
        .op(0, OpKind::End)
        .finish();
    Scenario {
        id: "f4".into(),
        title: Text::new("F4. Deadlock through full queues", "F4. 가득 찬 큐로 인한 교착 상태"),
        summary: Text::new(
            "Main fills in_queue before reading out_queue; the worker cannot put its results: both wait forever.",
            "메인은 out_queue를 읽기 전에 in_queue를 채우고, 작업자는 결과를 넣지 못합니다: 둘 다 영원히 기다립니다.",
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
        sink: Sink::Keep,
    }
}
