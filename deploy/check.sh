#!/usr/bin/env bash
# Checks the deployment files against a published server: DIR as deploy/publish.sh (the
# Dockerfile's build step) leaves it, or, without DIR, one it publishes itself. Starts the
# program and asks its /healthz, and verifies the systemd unit with systemd-analyze against
# that program. test.sh runs it on the server it publishes; the image itself is built where
# a container engine runs (docker build -f deploy/Dockerfile .).
set -euo pipefail
if [ $# -gt 1 ]; then
    echo "usage: deploy/check.sh [DIR]" >&2
    exit 2
fi
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$out"' EXIT
if [ $# -eq 1 ]; then
    app=$(realpath -e "$1")
else
    echo "== publish (the Dockerfile's build step)"
    app=$out/app
    deploy/publish.sh "$app"
fi

echo "== the published server answers /healthz and serves the dashboard, with no memory both writable and executable"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# As the unit's MemoryDenyWriteExecute=yes has it: the kernel refuses the process any
# mapping that is (or becomes) writable and executable (prctl PR_SET_MDWE,
# PR_MDWE_REFUSE_EXEC_GAIN; Linux 6.3 or later). A JIT could not run like this.
python3 - "$app/workq-server" -listen 127.0.0.1:0 -http-listen "127.0.0.1:$port" >"$out/server.log" 2>&1 <<'PY' &
import ctypes, os, sys
PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN = 65, 1
if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0:
    sys.exit("prctl(PR_SET_MDWE) failed: " + os.strerror(ctypes.get_errno()))
os.execv(sys.argv[1], sys.argv[1:])
PY
server=$!
for _ in $(seq 1 300); do
    if curl -fsS "http://127.0.0.1:$port/healthz" >"$out/healthz" 2>/dev/null; then break; fi
    sleep 0.1
done
grep -q '"status":"Healthy"' "$out/healthz" || { echo "no healthy answer from /healthz"; cat "$out/server.log"; exit 1; }
# The dashboard, compiled ahead of time: a page, its embedded script, its JSON.
curl -fsS "http://127.0.0.1:$port/" | grep -q '<h1>Overview</h1>' || { echo "no dashboard at /"; kill "$server"; exit 1; }
curl -fsS "http://127.0.0.1:$port/assets/dashboard.js" | grep -q 'use strict' || { echo "no dashboard script"; kill "$server"; exit 1; }
curl -fsS "http://127.0.0.1:$port/api/overview" | grep -q '"jobs":{"ready":0' || { echo "no dashboard API"; kill "$server"; exit 1; }
kill "$server"
wait "$server" || true

echo "== systemd-analyze verify deploy/workq.service"
if ! command -v systemd-analyze >/dev/null; then
    echo "systemd-analyze is needed (Debian: apt-get install systemd)" >&2
    exit 1
fi
# The unit as installed, but with the program just published.
sed "s|/opt/workq/workq-server|$app/workq-server|" deploy/workq.service >"$out/workq.service"
# It exits 0 on unknown or malformed settings, only saying so: anything it says fails.
said=$(systemd-analyze verify "$out/workq.service" 2>&1) || { echo "$said"; exit 1; }
if [ -n "$said" ]; then
    echo "$said"
    exit 1
fi
echo "deploy checks passed"
