#!/usr/bin/env bash
# Instructions per job, by budget line, of a server under callgrind: user-space instructions
# only (the kernel's share comes from perf, profile-workq.sh), repeatable under any load.
# usage: bench/profile/callgrind.sh workq|beanstalkd JOBS [SERVER-EXE] [workq-bench options...]
# For Workq, SERVER-EXE is a Native AOT publish whose symbols callgrind can read: see
# bench/profile/README.md (valgrind cannot read the publish's .dbg file as it is).
# The server serves 2000 jobs first (not counted), then JOBS are counted.
set -euo pipefail
kind=$1; jobs=$2; exe=${3:-}; shift 2; [ $# -gt 0 ] && shift
here=$(cd "$(dirname "$0")" && pwd)
bench=$here/../Workq.Bench/bin/Release/net10.0/workq-bench
port=$((30000 + RANDOM % 10000)); out=/tmp/callgrind-$kind.out
rm -f "$out"*
if [ "$kind" = workq ]; then
    valgrind --tool=callgrind --callgrind-out-file="$out" "$exe" --listen 127.0.0.1:$port --http-listen 127.0.0.1:$((port + 1)) >/tmp/callgrind-$kind.log 2>&1 &
    target=()
else
    valgrind --tool=callgrind --callgrind-out-file="$out" beanstalkd -l 127.0.0.1 -p $port -z 1048576 >/tmp/callgrind-$kind.log 2>&1 &
    target=(--target beanstalkd)
fi
vg=$!
trap 'kill $vg 2>/dev/null || true' EXIT
for _ in $(seq 300); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.2; done
"$bench" queue "${target[@]}" --addr 127.0.0.1:$port -n 2000 --time-cap 600 "$@" >/dev/null
callgrind_control -z $vg >/dev/null
"$bench" queue "${target[@]}" --addr 127.0.0.1:$port -n "$jobs" --time-cap 900 "$@" | grep -v '^RESULT'
callgrind_control -d $vg >/dev/null
kill $vg; wait $vg 2>/dev/null || true
dump=$(ls -t "$out".* | head -1)
summary=$(grep -m1 '^summary:' "$dump" | cut -d' ' -f2)
callgrind_annotate --inclusive=no --threshold=100 "$dump" 2>/dev/null \
  | awk '/^ *[0-9,]+ \(/ { n=$1; gsub(",", "", n); $1=""; sub(/^ +/, ""); sub(/^\([^)]*\) +/, ""); sub(/^[^:]*:/, ""); sub(/ \[[^]]*\]$/, ""); print n, $0 }' \
  | grep -v "PROGRAM TOTALS" | "$here/categorize.py" --server "$kind" --jobs "$jobs" --total "$summary" --unit instructions --show 6
