"""Shared bits of the reference benchmarks: the tandem's parameters and the JSON line.

The tandem is ARCHITECTURE.md's: three stages (download -> resize -> upload), exponential
service with means 1.0 / 1.5 / 0.8 ms, bounded buffers between stages, a saturated
source. Nothing here measures anything; each script times its own run.
"""

import json
import os
import platform
import sys

# Mean service time of each stage, in milliseconds (the models' time unit).
STAGE_MEANS_MS = (1.0, 1.5, 0.8)


def parse_workers(text):
    """'3,4,5' -> [3, 4, 5]: one positive worker count per stage."""
    workers = [int(part) for part in text.split(",")]
    if len(workers) != len(STAGE_MEANS_MS) or min(workers) < 1:
        raise SystemExit(f"--workers needs {len(STAGE_MEANS_MS)} positive counts, got {text!r}")
    return workers


def bottleneck_per_s(workers):
    """Capacity of the slowest stage in items per second, ignoring blocking."""
    return min(c * 1000.0 / mean for c, mean in zip(workers, STAGE_MEANS_MS))


def emit(record):
    """Print one JSON line, with the machine's state added under fixed keys."""
    record = dict(record)
    record["loadavg_1m"] = round(os.getloadavg()[0], 2)
    record["python"] = platform.python_version()
    print(json.dumps(record), flush=True)
    sys.stdout.flush()
