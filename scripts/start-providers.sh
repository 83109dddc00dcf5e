#!/usr/bin/env bash
# Usage: scripts/start-providers.sh [latency]   (default $LATENCY or 50ms)
# Starts the race's three reference providers, 200 threads each:
# small on 20880 (2400 calls/s), medium on 20881 (4800), large on 20882 (7200).
set -euo pipefail
source "$(dirname "$0")/common.sh"
if [[ "${1:-}" == -h || "${1:-}" == --help || $# -gt 1 ]]; then
	sed -n 2,4p "$0" | sed 's/^# //'; exit 2
fi
latency="${1:-${LATENCY:-50ms}}"
build
names=(small medium large)
ports=(20880 20881 20882)
capacities=(2400 4800 7200)
for i in 0 1 2; do
	launch "provider-${names[$i]}" "$BIN/provider" --listen ":${ports[$i]}" --latency "$latency" \
		--threads 200 --capacity "${capacities[$i]}" --name "${names[$i]}"
done
for i in 0 1 2; do
	wait_port "${ports[$i]}" "provider-${names[$i]}"
done
