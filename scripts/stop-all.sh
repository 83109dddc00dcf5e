#!/usr/bin/env bash
# Usage: scripts/stop-all.sh
# Stops everything the start scripts started (the PIDs in run/): the consumer
# agent first, then the provider agents, the providers and etcd. SIGTERM, then
# SIGKILL after 10 s.
set -euo pipefail
source "$(dirname "$0")/common.sh"
if [[ $# -gt 0 ]]; then
	sed -n 2,5p "$0" | sed 's/^# //'; exit 2
fi
stop() {
	local pidfile="$1" name pid
	name="$(basename "$pidfile" .pid)"
	pid="$(cat "$pidfile")"
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid"
		for _ in $(seq 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "$name (pid $pid) ignored SIGTERM; killing" >&2
			kill -KILL "$pid"
		fi
		echo "stopped $name (pid $pid)"
	fi
	rm -f "$pidfile"
}
shopt -s nullglob
for group in "consumer-agent" "provider-agent-*" "provider-*" "etcd"; do
	for pidfile in "$RUN_DIR"/$group.pid; do
		stop "$pidfile"
	done
done
