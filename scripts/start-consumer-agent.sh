#!/usr/bin/env bash
# Usage: scripts/start-consumer-agent.sh [listen-port]   (default 20000)
# Starts the consumer agent, discovering provider agents in $ETCD
# (default http://127.0.0.1:2379).
set -euo pipefail
source "$(dirname "$0")/common.sh"
if [[ "${1:-}" == -h || "${1:-}" == --help || $# -gt 1 ]]; then
	sed -n 2,4p "$0" | sed 's/^# //'; exit 2
fi
port="${1:-20000}"
build
launch consumer-agent "$BIN/consumer-agent" --listen ":$port" --etcd "$ETCD"
wait_port "$port" consumer-agent
