"""Prints a table from reference.jsonl: speed per tool/config and, for SimPy and Ciw,
the simulated throughput against the exact Markov-chain value (tandem_theory.py).

SimPy is compared with the saturated-source chain, Ciw with the Poisson-source chain
at the same arrival factor, since that is what each one models.
"""

import json
import sys


def main(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    theory = {}
    for r in rows:
        if r["tool"] == "theory":
            key = (r["source"], tuple(r["workers"]), r["buffer"], r.get("arrival_factor"))
            theory[key] = r["sim_throughput_per_s"]

    print(f"{'tool':<15}{'config':<22}{'items':>9}{'items/wall-s':>14}"
          f"{'sim items/s':>13}{'theory':>10}{'diff':>8}{'load':>6}")
    for r in rows:
        tool = r["tool"]
        if tool in ("simpy", "ciw"):
            w = ",".join(map(str, r["workers"]))
            key = (("saturated", None) if tool == "simpy" else ("poisson", r["arrival_factor"]))
            exact = theory.get((key[0], tuple(r["workers"]), r["buffer"], key[1]))
            diff = f"{100 * (r['sim_throughput_per_s'] / exact - 1):+.1f}%" if exact else ""
            print(f"{tool:<15}{'w=' + w + ' k=' + str(r['buffer']):<22}{r['items']:>9}"
                  f"{r['items_per_wall_s']:>14.0f}{r['sim_throughput_per_s']:>13.1f}"
                  f"{exact or 0:>10.1f}{diff:>8}{r['loadavg_1m']:>6.2f}")
        elif tool == "python-queue":
            cfg = f"{r['shape']} maxsize={r['maxsize']}"
            print(f"{tool:<15}{cfg:<22}{r['items']:>9}{r['items_per_wall_s']:>14.0f}"
                  f"{'':>13}{'':>10}{'':>8}{r['loadavg_1m']:>6.2f}")
        elif tool == "python-polling-summary":
            cfg = f"P1 polled {r['polled_min']}-{r['polled_max']}"
            print(f"{'python-polling':<15}{cfg:<22}{r['items']:>9}"
                  f"{'':>14}{'':>13}{'':>10}{'':>8}{r['loadavg_1m']:>6.2f}"
                  f"   ({r['runs']} runs; the note: {r['note_polled']})")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "out/reference.jsonl")
