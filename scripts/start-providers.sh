#!/usr/bin/env bash
# Usage: scripts/start-providers.sh [latency] [provider flags...]   (latency default $LATENCY or 50ms)
# Starts the race's three reference providers, 200 threads each:
# small on 20880 (2400 calls/s), medium on 20881 (4800), large on 20882 (7200).
# The flags go to each of the three, e.g. --service for an exported version;
# for flags that must differ, such as --admin, use scripts/start-provider.sh.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"
if [[ "${1:-}" == -h || "${1:-}" == --help ]]; then
	usage
fi
if [[ $# -gt 0 && "$1" != -* ]]; then
	LATENCY="$1"
	shift
fi
build
for i in "${!PROVIDER_NAMES[@]}"; do
	start_provider "$i" "$@"
done
for i in "${!PROVIDER_NAMES[@]}"; do
	wait_port "$(provider_listen "$i")" "provider-${PROVIDER_NAMES[$i]}"
done
