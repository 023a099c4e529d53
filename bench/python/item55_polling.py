"""Item 55's P1: MyQueue, the polling Worker and main's busy-wait, as in the note.

Counts how often the three workers polled before main saw all items in done_queue
(the note printed 3009; earlier runs saw 3011-3018 on these machines). Each run is a
fresh interpreter (a subprocess of this script), because the note's workers never stop:
they are made daemon threads here so the process can exit, which changes nothing else.
Prints one JSON line per run and a summary line with min/max.
"""

import argparse
import json
import subprocess
import sys
import time
from collections import deque
from threading import Lock, Thread

from common import emit


def download(item):
    ...


def resize(item):
    ...


def upload(item):
    ...


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
                time.sleep(0.01)  # nothing to do
            else:
                result = self.func(item)
                self.out_queue.put(result)
                self.work_done += 1


def run_once(items):
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
        thread.daemon = True  # not in the note: lets the process exit; run() never ends
        thread.start()

    t0 = time.perf_counter()
    for _ in range(items):
        download_queue.put(object())

    while len(done_queue.items) < items:
        # useful work would go here while waiting
        ...

    wall = time.perf_counter() - t0
    processed = len(done_queue.items)
    polled = sum(t.polled_count for t in threads)
    return {
        "tool": "python-polling",
        "items": processed,
        "polled": polled,
        "polled_per_worker": [t.polled_count for t in threads],
        "wall_s": round(wall, 4),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5, help="fresh interpreters, one per run")
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.once:
        print(json.dumps(run_once(args.items)), flush=True)
        return

    polled = []
    for run in range(args.runs):
        out = subprocess.run(
            [sys.executable, __file__, "--once", "--items", str(args.items)],
            check=True, capture_output=True, text=True,
        ).stdout
        record = json.loads(out)
        record["run"] = run + 1
        polled.append(record["polled"])
        emit(record)
    emit({
        "tool": "python-polling-summary",
        "items": args.items,
        "runs": args.runs,
        "polled_min": min(polled),
        "polled_max": max(polled),
        "note_polled": 3009,
    })


if __name__ == "__main__":
    main()
