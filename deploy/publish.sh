#!/usr/bin/env bash
# Publishes the server as the README's "Install" says, into DIR: the step the Dockerfile
# runs, and CI runs (no container engine there) so that it cannot break unnoticed.
set -euo pipefail
if [ $# -ne 1 ]; then
    echo "usage: deploy/publish.sh DIR" >&2
    exit 2
fi
cd "$(dirname "$0")/.."
dotnet publish src/Workq.Host -c Release -o "$1" -nologo -clp:ErrorsOnly
test -x "$1/workq-server"
