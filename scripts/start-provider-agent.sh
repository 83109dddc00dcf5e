#!/usr/bin/env bash
# Usage: scripts/start-provider-agent.sh <weight> <[host:]provider-port> <[host:]listen-port> [provider-agent flags...]
# Starts a provider agent in front of the provider on <provider-port>
# (host default 127.0.0.1), listening on <listen-port> (every interface unless
# a host is given), registered in $ETCD (default http://127.0.0.1:2379) with
# <weight>. The race's fit: 3 20880 30000; 5 20881 30001; 5 20882 30002.
# ADVERTISE_HOST is the host registered for consumers (default: the listen
# host if one is given, else 127.0.0.1). The flags go to the provider agent
# as they are, e.g.
#   scripts/start-provider-agent.sh 3 20880 30000 --admin 127.0.0.1:9001 --service com.example.Foo
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"
if [[ $# -lt 3 || "$1" == -h || "$1" == --help ]] || ! is_port "$2" || ! is_port "$3"; then
	usage
fi
weight="$1"
provider="$(listen_addr "$2" 127.0.0.1)"
listen="$(listen_addr "$3" "")"
shift 3
lhost="${listen%:*}"
lport="${listen##*:}"
case "$lhost" in
"" | 0.0.0.0 | "[::]") lhost=127.0.0.1 ;;
esac
build
launch "provider-agent-$lport" "$BIN/provider-agent" --listen "$listen" \
	--advertise "${ADVERTISE_HOST:-$lhost}:$lport" --provider "$provider" \
	--etcd "$ETCD" --weight "$weight" "$@"
wait_port "$listen" "provider-agent-$lport"
