#!/usr/bin/env bash
# Usage: scripts/start-provider.sh <small|medium|large|port> [provider flags...]
# Starts one of the race's reference providers (small on 20880, medium on
# 20881, large on 20882; 200 threads, $LATENCY or 50ms per call). The flags
# go to it as they are and win over those settings, e.g.
#   scripts/start-provider.sh large --admin 127.0.0.1:9102 --latency 20ms
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"
if [[ $# -lt 1 || "$1" == -h || "$1" == --help ]]; then
	usage
fi
i="$(provider_index "$1")"
shift
build
start_provider "$i" "$@"
wait_port "$(provider_listen "$i")" "provider-${PROVIDER_NAMES[$i]}"
