#!/usr/bin/env bash
# Publishes the server as the README's "Install" says, into DIR: one native executable,
# DIR/workq-server, compiled ahead of time (Native AOT; needs clang and zlib's headers,
# Debian: clang zlib1g-dev). The Dockerfile runs it, and so does test.sh, which then tests
# the program it made.
#
# Trim and AOT warnings fail the publish, but for FParsecCS's one (Workq.Host.csproj says
# why it is harmless), which must stay the only one: a new warning means code that may
# behave differently ahead of time than under the JIT.
set -euo pipefail
if [ $# -ne 1 ]; then
    echo "usage: deploy/publish.sh DIR" >&2
    exit 2
fi
cd "$(dirname "$0")/.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if ! dotnet publish src/Workq.Host -c Release -o "$1" -nologo -clp:NoSummary >"$out" 2>&1; then
    cat "$out" >&2
    exit 1
fi
warnings=$(grep -E ': warning ' "$out" | grep -vE "warning IL2104: Assembly 'FParsecCS' produced trim warnings" | sort -u || true)
if [ -n "$warnings" ]; then
    echo "publishing the server gave warnings beyond FParsecCS's:" >&2
    echo "$warnings" >&2
    exit 1
fi
test -x "$1/workq-server"
