#!/usr/bin/env bash
# Usage: scripts/start-etcd.sh [[host:]client-port] [etcd flags...]   (default 127.0.0.1:2379)
# Starts etcd for a hand-run topology: Debian's etcd-server if installed
# (apt-get install etcd-server), else the embedded one (registry/cmd/etcd).
# The flags go to whichever runs; the two take different ones.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"
if [[ "${1:-}" == -h || "${1:-}" == --help ]]; then
	usage
fi
client=127.0.0.1:2379
if [[ $# -gt 0 ]] && is_port "$1"; then
	client="$(listen_addr "$1" 127.0.0.1)"
	shift
fi
chost="${client%:*}"
cport="${client##*:}"
if command -v etcd >/dev/null; then
	peer="http://$chost:$((cport + 1))"
	launch etcd etcd --name dubbomesh --data-dir "$RUN_DIR/etcd-data" \
		--listen-client-urls "http://$client" --advertise-client-urls "http://$client" \
		--listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" \
		--initial-cluster "dubbomesh=$peer" "$@"
else
	build
	if [[ ! -x "$BIN/etcd" ]]; then
		echo "no etcd: install etcd-server (apt-get install etcd-server) or add registry/cmd/etcd" >&2
		exit 1
	fi
	launch etcd "$BIN/etcd" --dir "$RUN_DIR/etcd-data" --listen-client "$client" "$@"
fi
wait_port "$client" etcd
echo "etcd at http://$client"
