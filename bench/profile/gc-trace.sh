#!/usr/bin/env bash
# A queue run against a fresh JIT-built Workq server, traced: the runtime's GC, JIT and
# thread-pool events (dotnet-trace), then every pause the collector made (gc-pauses.fsx).
# usage: [DOTNET_GCgen0size=...] bench/profile/gc-trace.sh JOBS SECONDS [workq-bench options...]
# SECONDS: how long to trace (longer than the run). Needs dotnet-trace in /tmp/perf-dtrace.
set -euo pipefail
jobs=$1; seconds=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
repo=$here/../..
port=$((40000 + RANDOM % 10000))
"$repo/src/Workq.Host/bin/Release/net10.0/workq-server" --listen 127.0.0.1:$port --http-listen 127.0.0.1:$((port + 1)) >/tmp/gc-trace-server.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
sleep 2
/tmp/perf-dtrace/dotnet-trace collect -p $pid --providers Microsoft-Windows-DotNETRuntime:0x10011:5 \
    --duration 00:00:00:$seconds -o /tmp/gc-trace.nettrace >/tmp/gc-trace.log 2>&1 &
trace=$!
sleep 2
"$here/../Workq.Bench/bin/Release/net10.0/workq-bench" queue --addr 127.0.0.1:$port --pid $pid -n "$jobs" "$@" | grep -v '^RESULT'
wait $trace || true
dotnet fsi "$here/gc-pauses.fsx" /tmp/gc-trace.nettrace 2>/dev/null
