"""Exact long-run throughput of the tandem, from its Markov chain (pure Python, no deps).

The yardstick for simpy_tandem.py and ciw_tandem.py: with exponential services the
tandem of c-server stages with finite buffers and blocking after service is a
continuous-time Markov chain. We enumerate its reachable states, solve the balance
equations by Gauss-Seidel and report items per second leaving the last stage.

State: for every stage i, x_i = items waiting or in service, b_i = workers holding a
finished item that the next stage has no room for (blocked on put). In service:
s_i = min(x_i, c_i - b_i). A stage has room while x_i + b_i < c_i + k (k waiting places
when every worker is occupied, as Python's Queue(maxsize=k)).

Sources: "saturated" (SimPy model: stage 1's queue is refilled the instant it has
room, so its workers never starve) or "poisson" at --arrival-factor x the bottleneck
capacity, rejecting arrivals that find stage 1 full (the Ciw model).
"""

import argparse
import json

from common import STAGE_MEANS_MS, bottleneck_per_s, parse_workers


def chain(workers, buffer, source, arrival_rate):
    """Reachable states and outgoing transitions {state: [(rate, next_state, done)]}."""
    n = len(workers)
    cap = [c + buffer for c in workers]

    def free_spot(x, b, i):
        # A place opened at stage i: the longest-blocked worker of stage i-1 (or the
        # saturated source) moves its item in, which opens a place at stage i-1, and so on.
        while True:
            if i == 0:
                if source == "saturated":
                    x[0] += 1
                return
            if b[i - 1] == 0:
                return
            b[i - 1] -= 1
            x[i] += 1
            i -= 1

    def moves(state):
        x, b = list(state[0::2]), list(state[1::2])
        out = []
        if source == "poisson" and x[0] + b[0] < cap[0]:
            x2 = x[:]
            x2[0] += 1
            out.append((arrival_rate, x2, b[:], False))
        for i in range(n):
            serving = min(x[i], workers[i] - b[i])
            if serving == 0:
                continue
            rate = serving / STAGE_MEANS_MS[i]
            x2, b2 = x[:], b[:]
            x2[i] -= 1
            if i == n - 1:
                free_spot(x2, b2, i)
                out.append((rate, x2, b2, True))
            elif x2[i + 1] + b2[i + 1] < cap[i + 1]:
                x2[i + 1] += 1
                free_spot(x2, b2, i)
                out.append((rate, x2, b2, False))
            else:
                b2[i] += 1
                out.append((rate, x2, b2, False))
        return [(r, tuple(v for pair in zip(xx, bb) for v in pair), d) for r, xx, bb, d in out]

    start = [0] * (2 * n)
    if source == "saturated":
        start[0] = cap[0]
    start = tuple(start)
    trans, todo = {}, [start]
    while todo:
        s = todo.pop()
        if s in trans:
            continue
        trans[s] = moves(s)
        todo.extend(t for _, t, _ in trans[s] if t not in trans)
    return trans


def throughput_per_s(workers, buffer, source="saturated", arrival_factor=1.2, tol=1e-12):
    arrival_rate = arrival_factor * bottleneck_per_s(workers) / 1000.0
    trans = chain(workers, buffer, source, arrival_rate)
    states = list(trans)
    index = {s: j for j, s in enumerate(states)}
    out_rate = [sum(r for r, _, _ in trans[s]) for s in states]
    incoming = [[] for _ in states]
    for s in states:
        i = index[s]
        for r, t, _ in trans[s]:
            incoming[index[t]].append((i, r))
    pi = [1.0 / len(states)] * len(states)
    for _ in range(100_000):
        delta = 0.0
        for j in range(len(states)):
            new = sum(pi[i] * r for i, r in incoming[j] if i != j) / out_rate[j]
            delta = max(delta, abs(new - pi[j]))
            pi[j] = new
        total = sum(pi)
        pi = [p / total for p in pi]
        if delta < tol:
            break
    per_ms = sum(pi[index[s]] * r for s in states for r, _, done in trans[s] if done)
    return per_ms * 1000.0, len(states)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,1,1")
    parser.add_argument("--buffer", type=int, default=10)
    parser.add_argument("--source", choices=["saturated", "poisson"], default="saturated")
    parser.add_argument("--arrival-factor", type=float, default=1.2)
    args = parser.parse_args()
    workers = parse_workers(args.workers)
    tput, n_states = throughput_per_s(workers, args.buffer, args.source, args.arrival_factor)
    record = {"tool": "theory", "source": args.source, "workers": workers,
              "buffer": args.buffer, "states": n_states,
              "sim_throughput_per_s": round(tput, 2),
              "bottleneck_per_s": round(bottleneck_per_s(workers), 2)}
    if args.source == "poisson":
        record["arrival_factor"] = args.arrival_factor
    print(json.dumps(record))


if __name__ == "__main__":
    main()
