"""Ciw reference for the tandem: a 3-node open network with finite queues.

Model (time unit: milliseconds): nodes 1 -> 2 -> 3 -> exit, c1/c2/c3 servers,
exponential services with means 1.0 / 1.5 / 0.8 ms, each node's queue capacity k
(Ciw's `queue_capacities` counts waiting customers, not those in service or blocked).
A customer that finishes service while the next node is full stays blocked on its
server (Ciw's type I blocking = blocking after service, as a Python `Queue.put`).

Ciw has no saturated source: arrivals are an open Poisson stream. We feed node 1 at
`--arrival-factor` (default 1.2) x the bottleneck stage's capacity, and node 1's queue is
bounded by k too, so arrivals that find node 1 full are rejected (lost), which stands in
for the source being blocked. Node 1 can still go idle between arrivals, which a
saturated source never lets happen; with 1,1,1 and 3,4,5 node 1 is not the bottleneck,
so this costs a little throughput only (raise the factor to approach the saturated
SimPy model, at the price of more rejected-arrival events per completed item).

The run ends when N customers have completed their route (`method="Complete"`);
rejected arrivals are not counted. Prints one JSON line like simpy_tandem.py.
"""

import argparse
import time

import ciw

from common import STAGE_MEANS_MS, bottleneck_per_s, emit, parse_workers


def build(workers, buffer, arrival_factor):
    arrival_rate = arrival_factor * bottleneck_per_s(workers) / 1000.0  # per ms
    last = len(workers) - 1
    return ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=arrival_rate)] + [None] * last,
        service_distributions=[ciw.dists.Exponential(rate=1.0 / m) for m in STAGE_MEANS_MS],
        number_of_servers=list(workers),
        queue_capacities=[buffer] * len(workers),
        routing=[[1.0 if j == i + 1 else 0.0 for j in range(len(workers))]
                 for i in range(len(workers))],
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,1,1", help="servers per node, e.g. 3,4,5")
    parser.add_argument("--buffer", type=int, default=10, help="queue capacity k of every node")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--arrival-factor", type=float, default=1.2,
                        help="Poisson arrival rate as a multiple of the bottleneck capacity")
    args = parser.parse_args()
    workers = parse_workers(args.workers)
    if args.buffer < 0 or args.items < 1 or args.arrival_factor <= 0:
        raise SystemExit("--buffer >= 0, --items >= 1 and --arrival-factor > 0 please")

    ciw.seed(args.seed)
    t0 = time.perf_counter()
    sim = ciw.Simulation(build(workers, args.buffer, args.arrival_factor))
    sim.simulate_until_max_customers(args.items, method="Complete")
    wall = time.perf_counter() - t0
    completed = sim.nodes[-1].number_of_completed_individuals
    rejected = sim.nodes[-1].number_of_individuals - completed
    sim_s = sim.current_time / 1000.0
    emit({
        "tool": "ciw",
        "version": ciw.__version__,
        "workers": workers,
        "buffer": args.buffer,
        "items": completed,
        "seed": args.seed,
        "arrival_factor": args.arrival_factor,
        "rejected_arrivals": rejected,
        "wall_s": round(wall, 4),
        "items_per_wall_s": round(completed / wall, 1),
        "sim_s": round(sim_s, 6),
        "sim_throughput_per_s": round(completed / sim_s, 2),
        "bottleneck_per_s": round(bottleneck_per_s(workers), 2),
    })


if __name__ == "__main__":
    main()
