#!/usr/bin/env bash
# Usage: scripts/start-etcd.sh [client-port]   (default 2379)
# Starts etcd for a hand-run topology: Debian's etcd-server if installed
# (apt-get install etcd-server), else the embedded one (registry/cmd/etcd).
set -euo pipefail
source "$(dirname "$0")/common.sh"
if [[ "${1:-}" == -h || "${1:-}" == --help || $# -gt 1 ]]; then
	sed -n 2,4p "$0" | sed 's/^# //'; exit 2
fi
port="${1:-2379}"
if command -v etcd >/dev/null; then
	launch etcd etcd --name dubbomesh --data-dir "$RUN_DIR/etcd-data" \
		--listen-client-urls "http://127.0.0.1:$port" --advertise-client-urls "http://127.0.0.1:$port" \
		--listen-peer-urls "http://127.0.0.1:$((port + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((port + 1))" \
		--initial-cluster "dubbomesh=http://127.0.0.1:$((port + 1))"
else
	build
	if [[ ! -x "$BIN/etcd" ]]; then
		echo "no etcd: install etcd-server (apt-get install etcd-server) or add registry/cmd/etcd" >&2
		exit 1
	fi
	launch etcd "$BIN/etcd" --dir "$RUN_DIR/etcd-data" --listen-client "127.0.0.1:$port"
fi
wait_port "$port" etcd
echo "etcd at http://127.0.0.1:$port"
