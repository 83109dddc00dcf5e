#!/usr/bin/env bash
# Usage: scripts/wrk.sh <256|512> [duration] [url]   (default 60s, http://127.0.0.1:20000/)
# Drives the consumer agent with wrk and bench/wrk.lua, the race's request,
# as the race's judge did. Needs wrk: apt-get install wrk.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
if [[ $# -lt 1 || $# -gt 3 ]] || ! [[ "$1" =~ ^[0-9]+$ ]]; then
	sed -n 2,4p "$0" | sed 's/^# //'; exit 2
fi
if ! command -v wrk >/dev/null; then
	echo "wrk is not installed: apt-get install wrk" >&2
	exit 1
fi
exec wrk -t2 -c"$1" -d"${2:-60s}" -T5s --latency -s "$ROOT/bench/wrk.lua" "${3:-http://127.0.0.1:20000/}"
