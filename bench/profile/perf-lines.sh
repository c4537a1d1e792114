#!/usr/bin/env bash
# perf.data -> "SAMPLES [k] SYMBOL" / "SAMPLES SYMBOL" lines for categorize.py (kernel symbols tagged [k]).
set -euo pipefail
perf report -i "$1" --stdio --no-children --sort sym -F sample,sym 2>/dev/null \
  | grep -v '^#' | awk 'NF>=3 { n=$1; k=$2; $1=""; $2=""; sub(/^ +/, ""); if (k=="[k]") print n, "[k]", $0; else print n, $0 }'
