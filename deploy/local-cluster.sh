#!/usr/bin/env bash
# A three-member Workq cluster on this machine, as the README's "A cluster" starts it by
# hand: member N (1-3) serves clients on 127.0.0.1:99N2, its HTTP side on 127.0.0.1:99N3,
# talks Raft on 127.0.0.1:700N, and keeps its data in DATA/N. Each runs in the
# background with its output in DATA/N.log and its process id in DATA/N.pid.
#
#   deploy/local-cluster.sh start [DATA]    builds the server if needed, starts the three
#   deploy/local-cluster.sh status [DATA]   each member's pid and role, and the members as
#                                           the leader sees them (workq cluster status)
#   deploy/local-cluster.sh stop [DATA]     SIGTERM to each, and waits for it
#
# DATA defaults to ./workq-cluster. WORKQ_SERVER names the program to run (default: the
# Release build of src/Workq.Host, built when missing); WORKQ_ARGS holds more flags for
# every member (e.g. WORKQ_ARGS="-cmdlog-clean-int 5000").
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

usage() {
    echo "usage: deploy/local-cluster.sh start|status|stop [DATA]" >&2
    exit 2
}
[ $# -ge 1 ] && [ $# -le 2 ] || usage
command=$1
data=$(realpath -m "${2:-workq-cluster}")
server=${WORKQ_SERVER:-$repo/src/Workq.Host/bin/Release/net10.0/workq-server}
peers=127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003

# Running: the process exists and is not a zombie (killed, and not reaped where the
# started members' parent is gone).
running() {
    [ -f "$data/$1.pid" ] || return 1
    local state
    state=$(awk '{ print $3 }' "/proc/$(cat "$data/$1.pid")/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ]
}

case $command in
start)
    if [ -z "${WORKQ_SERVER:-}" ] && [ ! -x "$server" ]; then
        dotnet build src/Workq.Host -c Release -nologo -clp:ErrorsOnly
    fi
    mkdir -p "$data"
    for n in 1 2 3; do
        if running $n; then
            echo "member $n already runs (pid $(cat "$data/$n.pid"))"
            continue
        fi
        "$server" -listen "127.0.0.1:99${n}2" -http-listen "127.0.0.1:99${n}3" \
            -cmdlog-path "$data/$n" -cluster-listen "127.0.0.1:700$n" -cluster-peers "$peers" \
            ${WORKQ_ARGS:-} >>"$data/$n.log" 2>&1 &
        echo $! >"$data/$n.pid"
        echo "member $n: clients 127.0.0.1:99${n}2, HTTP 127.0.0.1:99${n}3, Raft 127.0.0.1:700$n, data $data/$n (pid $!)"
    done
    # Ready once a leader is known (each member's /readyz says so).
    for _ in $(seq 1 300); do
        if curl -fsS http://127.0.0.1:9913/readyz >/dev/null 2>&1; then
            echo "the cluster serves: any of 127.0.0.1:9912,127.0.0.1:9922,127.0.0.1:9932"
            exit 0
        fi
        sleep 0.1
    done
    echo "no leader within 30 s: see $data/*.log" >&2
    exit 1
    ;;
status)
    for n in 1 2 3; do
        if running $n; then
            ready=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:99${n}3/readyz" || true)
            role=$(curl -s "http://127.0.0.1:99${n}3/metrics" | awk '/^workq_cluster_role\{/ && $NF == 1 { match($0, /role="[a-z]+"/); print substr($0, RSTART + 6, RLENGTH - 7) }')
            echo "member $n: pid $(cat "$data/$n.pid"), ${role:-unknown role}, /readyz $ready"
        else
            echo "member $n: not running"
        fi
    done
    dotnet run --project src/Workq.Cli -c Release -- cluster status --server 127.0.0.1:9912,127.0.0.1:9922,127.0.0.1:9932
    ;;
stop)
    for n in 1 2 3; do
        if running $n; then
            pid=$(cat "$data/$n.pid")
            kill -TERM "$pid"
            while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
            echo "member $n stopped"
        fi
        rm -f "$data/$n.pid"
    done
    ;;
*)
    usage
    ;;
esac
