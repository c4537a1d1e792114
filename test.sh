#!/usr/bin/env bash
# Builds the solution, publishes the server as it is installed and checks the deployment
# files against it, and runs every test suite: the Expecto tests (domain, protocol, TCP
# integration, the published server, the samples, the dashboard in a browser) and the
# FsCheck properties. Exits non-zero if anything fails. Needs clang and zlib1g-dev (the
# native link), curl and systemd-analyze (deploy/check.sh), and Chromium at
# /usr/bin/chromium (the dashboard's browser tests; WORKQ_CHROMIUM names another).
set -euo pipefail
cd "$(dirname "$0")"

dotnet build Workq.sln -c Release -nologo -clp:ErrorsOnly

# The server as installed (deploy/publish.sh: Native AOT, a warning fails it), published
# once: the deployment checks and the start-up tests run that program.
published=artifacts/workq-server
echo "== publish"
deploy/publish.sh "$published"
deploy/check.sh "$published"
export WORKQ_PUBLISHED_SERVER=$PWD/$published/workq-server

log=$(mktemp)
trap 'rm -f "$log"' EXIT
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
