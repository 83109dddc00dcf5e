#!/usr/bin/env bash
# Usage: scripts/start-provider-agent.sh <weight> <provider-port> <listen-port>
# Starts a provider agent in front of the provider on 127.0.0.1:<provider-port>,
# registered in $ETCD (default http://127.0.0.1:2379) with <weight>.
# The race's fit: 3 20880 30000; 5 20881 30001; 5 20882 30002.
# ADVERTISE_HOST (default 127.0.0.1) is the host registered for consumers.
set -euo pipefail
source "$(dirname "$0")/common.sh"
if [[ $# -ne 3 ]]; then
	sed -n 2,6p "$0" | sed 's/^# //'; exit 2
fi
weight="$1" pport="$2" lport="$3"
build
launch "provider-agent-$lport" "$BIN/provider-agent" --listen ":$lport" \
	--advertise "${ADVERTISE_HOST:-127.0.0.1}:$lport" --provider "127.0.0.1:$pport" \
	--etcd "$ETCD" --weight "$weight"
wait_port "$lport" "provider-agent-$lport"
