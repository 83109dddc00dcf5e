#!/usr/bin/env bash
# Usage: scripts/stop-all.sh
# Stops everything the start scripts started (the PIDs in run/): the consumer
# agent first, then the provider agents, the providers and etcd. SIGTERM, then
# SIGKILL after 10 s.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"
if [[ $# -gt 0 ]]; then
	usage
fi
shopt -s nullglob
for group in "consumer-agent" "provider-agent-*" "provider-*" "etcd"; do
	for pidfile in "$RUN_DIR"/$group.pid; do
		stop "$(basename "$pidfile" .pid)"
	done
done
