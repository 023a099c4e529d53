"""SimPy reference for the tandem: worker processes and bounded Stores.

Model (time unit: milliseconds):
  source --q0--> stage 1 (c1 workers) --q1--> stage 2 (c2) --q2--> stage 3 (c3) -> done
Every queue is `simpy.Store(capacity=k)`. The source puts items as fast as q0 accepts
them (saturated). A worker loops: get from its in-store, hold an exponential service
time, put into its out-store; while that store is full the worker is blocked holding
the item (blocking after service, as a Python `Queue.put` on a full queue). The last
stage just counts. The run ends when the N-th item leaves stage 3.

Prints one JSON line: items per wall second (how fast SimPy simulates) and items per
simulated second (what the modelled pipeline achieves; compare with queueing theory:
bottleneck capacity minus blocking losses; see tandem_theory.py).
"""

import argparse
import random
import time

import simpy

from common import STAGE_MEANS_MS, bottleneck_per_s, emit, parse_workers


def build(env, workers, buffer, items, rng):
    """Wires the model into env; returns the event that fires when the last item is done."""
    stores = [simpy.Store(env, capacity=buffer) for _ in workers]
    finished = env.event()
    done = [0]

    def source():
        q0 = stores[0]
        for item in range(items):
            yield q0.put(item)

    def worker(in_store, out_store, mean):
        expo = rng.expovariate
        rate = 1.0 / mean
        while True:
            item = yield in_store.get()
            yield env.timeout(expo(rate))
            yield out_store.put(item)

    def last_worker(in_store, mean):
        expo = rng.expovariate
        rate = 1.0 / mean
        while True:
            yield in_store.get()
            yield env.timeout(expo(rate))
            done[0] += 1
            if done[0] == items:
                finished.succeed()

    env.process(source())
    last = len(workers) - 1
    for stage, (count, mean) in enumerate(zip(workers, STAGE_MEANS_MS)):
        for _ in range(count):
            if stage == last:
                env.process(last_worker(stores[stage], mean))
            else:
                env.process(worker(stores[stage], stores[stage + 1], mean))
    return finished


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,1,1", help="workers per stage, e.g. 3,4,5")
    parser.add_argument("--buffer", type=int, default=10, help="capacity k of every Store")
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    workers = parse_workers(args.workers)
    if args.buffer < 1 or args.items < 1:
        raise SystemExit("--buffer and --items must be at least 1")

    rng = random.Random(args.seed)
    env = simpy.Environment()
    t0 = time.perf_counter()
    finished = build(env, workers, args.buffer, args.items, rng)
    env.run(until=finished)
    wall = time.perf_counter() - t0
    sim_s = env.now / 1000.0
    emit({
        "tool": "simpy",
        "version": simpy.__version__,
        "workers": workers,
        "buffer": args.buffer,
        "items": args.items,
        "seed": args.seed,
        "wall_s": round(wall, 4),
        "items_per_wall_s": round(args.items / wall, 1),
        "sim_s": round(sim_s, 6),
        "sim_throughput_per_s": round(args.items / sim_s, 2),
        "bottleneck_per_s": round(bottleneck_per_s(workers), 2),
    })


if __name__ == "__main__":
    main()
