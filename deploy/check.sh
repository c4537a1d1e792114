#!/usr/bin/env bash
# Checks the deployment files: publishes the server as the Dockerfile does
# (deploy/publish.sh), starts the published program and asks its /healthz, and verifies
# the systemd unit with systemd-analyze against that program. Run by CI; the image itself
# is built where a container engine runs (docker build -f deploy/Dockerfile .).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$out"' EXIT

echo "== publish (the Dockerfile's build step)"
deploy/publish.sh "$out/app"

echo "== the published server answers /healthz"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$out/app/workq-server" -listen 127.0.0.1:0 -http-listen "127.0.0.1:$port" >"$out/server.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do
    if curl -fsS "http://127.0.0.1:$port/healthz" >"$out/healthz" 2>/dev/null; then break; fi
    sleep 0.1
done
grep -q '"status":"Healthy"' "$out/healthz" || { echo "no healthy answer from /healthz"; cat "$out/server.log"; exit 1; }
kill "$server"
wait "$server" || true

echo "== systemd-analyze verify deploy/workq.service"
if ! command -v systemd-analyze >/dev/null; then
    echo "systemd-analyze is needed (Debian: apt-get install systemd)" >&2
    exit 1
fi
# The unit as installed, but with the program just published.
sed "s|/opt/workq/workq-server|$out/app/workq-server|" deploy/workq.service >"$out/workq.service"
# It exits 0 on unknown or malformed settings, only saying so: anything it says fails.
said=$(systemd-analyze verify "$out/workq.service" 2>&1) || { echo "$said"; exit 1; }
if [ -n "$said" ]; then
    echo "$said"
    exit 1
fi
echo "deploy checks passed"
