//! P2, P3 and P4: `queue.Queue` on its own: `get` blocks on an empty queue, `put` on a full
//! one, and `join` waits for a `task_done` per item (F2 reuses P4). Data only.

use super::asm::{Program, Src};
use super::{ms, queue, thread};
use crate::scenario::{Op, OpKind, QueueKind, Scenario, Service, Sink, StageSpec, Text, Value};

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
pub(super) fn p2_get_blocks() -> Scenario {
    let src = Src::new(P2);
    let consumer = Program::new()
        .print(src.line("print('consumer waiting')"), 0)
        .op(src.line("my_queue.get()"), OpKind::Get { queue: 0 })
        .print(src.line("print('consumer done')"), 1)
        .op(0, OpKind::End)
        .finish();
    let main = Program::new()
        .op(src.line("thread.start()"), OpKind::Start { thread: 1 })
        .print(src.line("print('producer putting')"), 2)
        .op(
            src.line("my_queue.put(object())"),
            OpKind::Put {
                queue: 0,
                value: Value::NewItem,
            },
        )
        .print(src.line("print('producer done')"), 3)
        .op(src.line("thread.join()"), OpKind::JoinThread { thread: 1 })
        .op(0, OpKind::End)
        .finish();
    Scenario {
        id: "p2".into(),
        title: Text::new("P2. Queue: get() blocks", "P2. Queue: get()은 블록된다"),
        summary: Text::new(
            "The consumer starts first, but get() waits until the producer puts an item.",
            "소비자가 먼저 시작하지만 get()은 생산자가 아이템을 넣을 때까지 기다립니다.",
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
        sink: Sink::Keep,
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
pub(super) fn p3_put_blocks() -> Scenario {
    let src = Src::new(P3);
    let get1 = src.line("my_queue.get()");
    let put1 = src.line("my_queue.put(object())");
    let consumer = Program::new()
        .op(
            src.line("time.sleep(0.1)"),
            OpKind::Sleep {
                us: ms(100),
                polling: false,
            },
        )
        .op(get1, OpKind::Get { queue: 0 })
        .print(src.line("print('consumer 1')"), 0)
        .op(
            src.line_after("my_queue.get()", get1),
            OpKind::Get { queue: 0 },
        )
        .print(src.line("print('consumer 2')"), 1)
        .print(src.line("print('consumer done')"), 2)
        .op(0, OpKind::End)
        .finish();
    let main = Program::new()
        .op(src.line("thread.start()"), OpKind::Start { thread: 1 })
        .op(
            put1,
            OpKind::Put {
                queue: 0,
                value: Value::NewItem,
            },
        )
        .print(src.line("print('producer 1')"), 3)
        .op(
            src.line_after("my_queue.put(object())", put1),
            OpKind::Put {
                queue: 0,
                value: Value::NewItem,
            },
        )
        .print(src.line("print('producer 2')"), 4)
        .print(src.line("print('producer done')"), 5)
        .op(src.line("thread.join()"), OpKind::JoinThread { thread: 1 })
        .op(0, OpKind::End)
        .finish();
    Scenario {
        id: "p3".into(),
        title: Text::new(
            "P3. Queue(1): put() blocks when full",
            "P3. Queue(1): 가득 차면 put()이 블록된다",
        ),
        summary: Text::new(
            "A buffer of one: the producer's second put() waits for the consumer's first get().",
            "버퍼 크기 1: 생산자의 두 번째 put()은 소비자의 첫 get()을 기다립니다.",
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
        sink: Sink::Keep,
    }
}

pub(super) const P4: &str = r#"
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

/// P4's main and consumer over `src` (P4's source, or F2's without the `task_done`).
pub(super) fn p4_program(src: &Src, with_task_done: bool) -> (Vec<Op>, Vec<Op>) {
    let mut consumer = Program::new();
    consumer
        .print(src.line("print('consumer waiting')"), 0)
        .op(src.line("work = in_queue.get()"), OpKind::Get { queue: 0 })
        .print(src.line("print('consumer working')"), 1)
        .op(src.line("    ..."), OpKind::Work { stage: 0 })
        .print(src.line("print('consumer done')"), 2);
    if with_task_done {
        consumer.op(
            src.line("in_queue.task_done()"),
            OpKind::TaskDone { queue: 0 },
        );
    }
    let consumer = consumer.op(0, OpKind::End).finish();
    let main = Program::new()
        .op(src.line("thread.start()"), OpKind::Start { thread: 1 })
        .print(src.line("print('producer putting')"), 3)
        .op(
            src.line("in_queue.put(object())"),
            OpKind::Put {
                queue: 0,
                value: Value::NewItem,
            },
        )
        .print(src.line("print('producer waiting')"), 4)
        .op(src.line("in_queue.join()"), OpKind::Join { queue: 0 })
        .print(src.line("print('producer done')"), 5)
        .op(src.line("thread.join()"), OpKind::JoinThread { thread: 1 })
        .op(0, OpKind::End)
        .finish();
    (main, consumer)
}

pub(super) fn p4_texts() -> Vec<Text> {
    vec![
        Text::new("consumer waiting", "소비자 대기"),
        Text::new("consumer working", "소비자 작업 중"),
        Text::new("consumer done", "소비자 완료"),
        Text::new("producer putting", "생산자 데이터 추가"),
        Text::new("producer waiting", "생산자 대기"),
        Text::new("producer done", "생산자 완료"),
    ]
}

pub(super) fn p4_stage() -> Vec<StageSpec> {
    vec![StageSpec {
        name: "work".into(),
        service: Service::Const { us: ms(50) },
        input: 0,
        output: None,
    }]
}

/// P4: `task_done` and `Queue.join`.
pub(super) fn p4_join() -> Scenario {
    let src = Src::new(P4);
    let (main, consumer) = p4_program(&src, true);
    Scenario {
        id: "p4".into(),
        title: Text::new("P4. task_done() and join()", "P4. task_done()과 join()"),
        summary: Text::new(
            "join() returns only when task_done() was called for every item put, even if the queue is empty.",
            "join()은 넣은 모든 아이템에 task_done()이 호출되어야 반환됩니다. 큐가 비어 있어도요.",
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
        sink: Sink::Keep,
    }
}
