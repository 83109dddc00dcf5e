#!/usr/bin/env bash
# Usage: scripts/start-consumer-agent.sh [[host:]port] [consumer-agent flags...]
# Starts the consumer agent on host:port (default 127.0.0.1:20000: only the
# programs on this host can call it; give :20000 to serve every interface,
# e.g. for a program in another container or network namespace), discovering
# provider agents in $ETCD (default http://127.0.0.1:2379). The flags go to
# the consumer agent as they are, e.g.
#   scripts/start-consumer-agent.sh :20000 --admin 127.0.0.1:9000 --loops 2
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"
if [[ "${1:-}" == -h || "${1:-}" == --help ]]; then
	usage
fi
listen=127.0.0.1:20000
if [[ $# -gt 0 ]] && is_port "$1"; then
	listen="$(listen_addr "$1" 127.0.0.1)"
	shift
fi
build
launch consumer-agent "$BIN/consumer-agent" --listen "$listen" --etcd "$ETCD" "$@"
wait_port "$listen" consumer-agent
