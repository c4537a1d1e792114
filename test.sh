#!/usr/bin/env bash
# Builds the solution, publishes the server as it is installed, and runs every test
# suite: the Expecto tests (domain, protocol, TCP integration, the published server) and
# the FsCheck properties. Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")"

dotnet build Workq.sln -c Release -nologo -clp:ErrorsOnly

# The server as installed: `dotnet publish` compiles it ahead of time (Native AOT; needs
# clang and zlib1g-dev). Its trim and AOT warnings are errors, but for FParsecCS's one
# (Workq.Host.csproj says why), which must stay the only one. The start-up tests run it.
published=artifacts/workq-server
publish_log=$(mktemp)
trap 'rm -f "$publish_log"' EXIT
dotnet publish src/Workq.Host -c Release -o "$published" -nologo -v quiet >"$publish_log" 2>&1 || { cat "$publish_log"; exit 1; }
if grep -E 'warning' "$publish_log" | grep -vE "warning IL2104: Assembly 'FParsecCS' produced trim warnings" | grep -q .; then
    echo "publishing the server gave warnings beyond FParsecCS's:" >&2
    grep -E 'warning' "$publish_log" | sort -u >&2
    exit 1
fi
export WORKQ_PUBLISHED_SERVER=$PWD/$published/workq-server

log=$(mktemp)
trap 'rm -f "$publish_log" "$log"' EXIT
status=0
for suite in tests properties; do
    echo "== $suite"
    dotnet run --project "$suite" -c Release --no-build -- --colours 0 2>&1 | tee -a "$log" || status=1
done

# One closing line for the whole run, summed over the suites.
passed=$(grep -oE '[0-9]+ passed' "$log" | awk '{ s += $1 } END { print s + 0 }')
failed=$(grep -oE '[0-9]+ (failed|errored)' "$log" | awk '{ s += $1 } END { print s + 0 }')
echo "Total: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || status=1
exit $status
