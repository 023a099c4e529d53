#!/usr/bin/env bash
# Runs the reference side of the benchmarks (Python queue.Queue pipelines, the polling
# P1, SimPy and Ciw tandems, the exact Markov-chain throughput) and collects their JSON
# lines in bench/out/reference.jsonl, then prints a summary table.
#
#   bench/run_reference.sh                 full sizes (minutes, not seconds)
#   SIZE=smoke bench/run_reference.sh      tiny sizes: checks that everything runs
#   SIZE=medium bench/run_reference.sh     in between
#
# Overrides (each optional): SIMPY_ITEMS CIW_ITEMS QUEUE_ITEMS POLL_ITEMS POLL_RUNS,
# WORKERS ("1,1,1 3,4,5"), BUFFERS ("10 1"), QUEUE_MAXSIZES ("0,1,10"), SEED, OUT.
# Measure on a quiet machine: the JSON lines carry the 1-minute load average.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/setup-python.sh"
py="$here/.venv/bin/python"

case "${SIZE:-full}" in
    smoke)  d_simpy=10000;   d_ciw=2000;   d_queue=5000;   d_runs=2 ;;
    medium) d_simpy=200000;  d_ciw=20000;  d_queue=100000; d_runs=5 ;;
    full)   d_simpy=1000000; d_ciw=100000; d_queue=100000; d_runs=5 ;;
    *) echo "SIZE must be smoke, medium or full" >&2; exit 2 ;;
esac
simpy_items="${SIMPY_ITEMS:-$d_simpy}"
ciw_items="${CIW_ITEMS:-$d_ciw}"
queue_items="${QUEUE_ITEMS:-$d_queue}"
poll_items="${POLL_ITEMS:-1000}"
poll_runs="${POLL_RUNS:-$d_runs}"
workers_list="${WORKERS:-1,1,1 3,4,5}"
buffers="${BUFFERS:-10 1}"
seed="${SEED:-1}"
out="${OUT:-$here/out/reference.jsonl}"

mkdir -p "$(dirname "$out")"
: > "$out"
run() {
    echo "+ python ${*:2}" >&2
    "$@" | tee -a "$out"
}

echo "# $(uptime)" >&2
cd "$here/python"
run "$py" item55_polling.py --items "$poll_items" --runs "$poll_runs"
run "$py" item55_queue.py --shape p5,p6 --maxsize "${QUEUE_MAXSIZES:-0,1,10}" --items "$queue_items"
for w in $workers_list; do
    for k in $buffers; do
        run "$py" tandem_theory.py --workers "$w" --buffer "$k" --source saturated
        run "$py" simpy_tandem.py --workers "$w" --buffer "$k" --items "$simpy_items" --seed "$seed"
        run "$py" tandem_theory.py --workers "$w" --buffer "$k" --source poisson
        run "$py" ciw_tandem.py --workers "$w" --buffer "$k" --items "$ciw_items" --seed "$seed"
    done
done
echo "# $(uptime)" >&2
"$py" summarize.py "$out"
