#!/usr/bin/env bash
# Usage: scripts/restart-provider.sh <small|medium|large|port> [provider flags...]
# (port: 20880, 20881, 20882, or the --listen port it was started with)
# Restarts one reference provider: SIGTERM (it finishes its calls in flight,
# for at most 5 s), then starts it again, with the command line it last ran
# with, or, given flags, with the race's settings and those flags, e.g.
#   scripts/restart-provider.sh medium --latency 500ms
# Its provider agent sends it no call while it is down and resumes once it
# is back.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"
if [[ $# -lt 1 || "$1" == -h || "$1" == --help ]]; then
	usage
fi
i="$(provider_index "$1")"
shift
name="provider-${PROVIDER_NAMES[$i]}"
build
stop "$name"
if [[ $# -eq 0 && -f "$RUN_DIR/$name.cmd" ]]; then
	relaunch "$name"
else
	start_provider "$i" "$@"
fi
wait_port "$(provider_listen "$i")" "$name"
