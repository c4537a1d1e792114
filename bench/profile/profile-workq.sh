#!/usr/bin/env bash
# One queue run against a fresh Workq server, profiled: perf samples of the server process
# (kernel included; run as root), its CPU per job, and the runtime's own counters from
# /metrics before and after (bytes allocated, collections by generation, time paused).
# usage: bench/profile/profile-workq.sh SERVER-EXE JOBS [workq-bench options...]
# Leaves /tmp/workq-profile.data; prints the budget split (bench/profile/categorize.py).
set -euo pipefail
exe=$1; jobs=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
bench=$here/../Workq.Bench/bin/Release/net10.0/workq-bench
port=$((20000 + RANDOM % 10000)); http=$((port + 1))
"$exe" --listen 127.0.0.1:$port --http-listen 127.0.0.1:$http >/tmp/workq-profile.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:$http/metrics >/dev/null && break; sleep 0.1; done
metric() { curl -sf http://127.0.0.1:$http/metrics | grep -E "^$1" || true; }
counters() { curl -sf http://127.0.0.1:$http/metrics | grep -E '^dotnet_gc_(heap_total_allocated|collections|pause_time)' ; }
counters >/tmp/workq-profile.before
perf record -F 2000 -p $pid -o /tmp/workq-profile.data 2>/dev/null &
rec=$!
sleep 0.5
"$bench" queue --addr 127.0.0.1:$port --pid $pid -n "$jobs" "$@" | tee /tmp/workq-profile.bench | grep -v '^RESULT'
kill -INT $rec; wait $rec || true
counters >/tmp/workq-profile.after
python3 - "$jobs" <<'PY'
import sys
jobs = float(sys.argv[1])
def read(path):
    d = {}
    for line in open(path):
        k, v = line.rsplit(None, 1)
        d[k] = float(v)
    return d
b, a = read('/tmp/workq-profile.before'), read('/tmp/workq-profile.after')
for k in a:
    delta = a[k] - b.get(k, 0)
    per = delta / jobs
    print(f"{k:75} +{delta:14.3f}  per job {per:.6g}")
PY
us=$(grep -oE '"cpuSecondsPer1000Jobs":[0-9.eE-]+' /tmp/workq-profile.bench | cut -d: -f2 || true)
[ -n "$us" ] && us=$(python3 -c "print($us*1000)")
"$here/perf-lines.sh" /tmp/workq-profile.data | "$here/categorize.py" --server workq ${us:+--us-per-job $us} --show 5
