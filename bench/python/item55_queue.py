"""Item 55's `queue.Queue` pipelines (P5 and P6 of reference/item55.md) with no-op stages.

ClosableQueue and StoppableWorker are the note's code, unchanged. The only departures:
  - queues take a `maxsize` (the note's are unbounded, maxsize 0). The three stage
    queues get it; done_queue stays unbounded, because nothing drains it until the end,
    so a bounded done_queue would stop the upload workers for good (deadlock);
  - N items instead of 1000, and a clock around the whole run (thread start to the last
    thread.join), reported as items per wall second.
Prints one JSON line per (shape, maxsize).
"""

import argparse
import sys
import time
from queue import Queue
from threading import Thread

from common import emit


def download(item):
    return item


def resize(item):
    return item


def upload(item):
    return item


class ClosableQueue(Queue):
    SENTINEL = object()

    def close(self):
        self.put(self.SENTINEL)

    def __iter__(self):
        while True:
            item = self.get()
            try:
                if item is self.SENTINEL:
                    return  # the thread ends
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


def run_p5(items, maxsize):
    """One worker a stage; main closes and joins each queue in turn, as in P5."""
    download_queue = ClosableQueue(maxsize)
    resize_queue = ClosableQueue(maxsize)
    upload_queue = ClosableQueue(maxsize)
    done_queue = ClosableQueue()
    threads = [
        StoppableWorker(download, download_queue, resize_queue),
        StoppableWorker(resize, resize_queue, upload_queue),
        StoppableWorker(upload, upload_queue, done_queue),
    ]

    for thread in threads:
        thread.start()

    for _ in range(items):
        download_queue.put(object())

    download_queue.close()

    download_queue.join()
    resize_queue.close()
    resize_queue.join()
    upload_queue.close()
    upload_queue.join()
    processed = done_queue.qsize()

    for thread in threads:
        thread.join()
    return processed


def run_p6(items, maxsize, counts=(3, 4, 5)):
    """3 download, 4 resize, 5 upload workers; stop_threads on each stage, as in P6."""
    download_queue = ClosableQueue(maxsize)
    resize_queue = ClosableQueue(maxsize)
    upload_queue = ClosableQueue(maxsize)
    done_queue = ClosableQueue()

    download_threads = start_threads(counts[0], download, download_queue, resize_queue)
    resize_threads = start_threads(counts[1], resize, resize_queue, upload_queue)
    upload_threads = start_threads(counts[2], upload, upload_queue, done_queue)

    for _ in range(items):
        download_queue.put(object())

    stop_threads(download_queue, download_threads)
    stop_threads(resize_queue, resize_threads)
    stop_threads(upload_queue, upload_threads)

    return done_queue.qsize()


SHAPES = {"p5": (run_p5, [1, 1, 1]), "p6": (run_p6, [3, 4, 5])}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", default="p5,p6", help="comma list of p5, p6")
    parser.add_argument("--maxsize", default="0,1,10", help="comma list; 0 = unbounded")
    parser.add_argument("--items", type=int, default=100_000)
    args = parser.parse_args()
    shapes = args.shape.split(",")
    if any(s not in SHAPES for s in shapes):
        raise SystemExit(f"--shape takes {', '.join(SHAPES)}")
    sizes = [int(m) for m in args.maxsize.split(",")]

    for shape in shapes:
        run, workers = SHAPES[shape]
        for maxsize in sizes:
            t0 = time.perf_counter()
            processed = run(args.items, maxsize)
            wall = time.perf_counter() - t0
            if processed != args.items:
                sys.exit(f"{shape} maxsize={maxsize}: {processed} of {args.items} items processed")
            emit({
                "tool": "python-queue",
                "shape": shape,
                "workers": workers,
                "maxsize": maxsize,
                "items": processed,
                "switch_interval_s": sys.getswitchinterval(),
                "wall_s": round(wall, 4),
                "items_per_wall_s": round(processed / wall, 1),
            })


if __name__ == "__main__":
    main()
