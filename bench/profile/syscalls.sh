#!/usr/bin/env bash
# System calls per job of a server process, counted by the kernel's tracepoints (exact,
# whatever the load): perf stat on every thread of PID while workq-bench runs JOBS.
# usage: bench/profile/syscalls.sh workq EXE JOBS | bench/profile/syscalls.sh beanstalkd - JOBS
set -euo pipefail
kind=$1; exe=$2; jobs=$3
here=$(cd "$(dirname "$0")" && pwd)
bench=$here/../Workq.Bench/bin/Release/net10.0/workq-bench
port=$((50000 + RANDOM % 10000))
if [ "$kind" = workq ]; then
    "$exe" --listen 127.0.0.1:$port --http-listen 127.0.0.1:$((port + 1)) >/dev/null 2>&1 &
    target=()
else
    beanstalkd -l 127.0.0.1 -p $port -z 1048576 &
    target=(--target beanstalkd)
fi
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
"$bench" queue "${target[@]}" --addr 127.0.0.1:$port -n 2000 >/dev/null
events=$(for s in recvfrom sendto read write readv writev sendmsg recvmsg epoll_wait epoll_pwait epoll_ctl futex sched_yield; do printf 'syscalls:sys_enter_%s,' $s; done)
perf stat -x, -e "${events%,}" -p $pid -o /tmp/syscalls-$kind.csv &
stat=$!
sleep 0.3
"$bench" queue "${target[@]}" --addr 127.0.0.1:$port -n "$jobs" | grep -E 'jobs/s'
kill -INT $stat; wait $stat || true
awk -F, -v jobs="$jobs" '$1 ~ /^[0-9]+$/ && $1 > 0 { sub("syscalls:sys_enter_", "", $3); printf "  %-12s %10d  %6.2f per job\n", $3, $1, $1 / jobs; total += $1 } END { printf "  %-12s %10d  %6.2f per job\n", "total", total, total / jobs }' /tmp/syscalls-$kind.csv
