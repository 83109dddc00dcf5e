# shellcheck shell=bash
# Shared by the start, restart and stop scripts: sourced, not run.
# Binaries go to bin/, PID files, command lines and logs to run/ (both at the
# repository root).
# Environment:
#   ETCD       etcd endpoints for the agents (default http://127.0.0.1:2379)
#   RUN_DIR    where PID files and logs go (default run/)
#   LATENCY    per-call provider latency (default 50ms)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/bin"
RUN_DIR="${RUN_DIR:-$ROOT/run}"
ETCD="${ETCD:-http://127.0.0.1:2379}"
LATENCY="${LATENCY:-50ms}"
mkdir -p "$RUN_DIR"
# The script's first argument, for usage's exit status.
SCRIPT_ARG1="${1:-}"

# The race's reference providers: name, port and calls per second.
PROVIDER_NAMES=(small medium large)
PROVIDER_PORTS=(20880 20881 20882)
PROVIDER_CAPACITIES=(2400 4800 7200)

# usage: prints the script's usage, the comment under its first line, and
# exits: 0 when it was asked for (-h, --help), else 2.
usage() {
	awk 'NR == 1 { next } !/^#/ { exit } { sub(/^# ?/, ""); print }' "$0"
	case "$SCRIPT_ARG1" in
	-h | --help) exit 0 ;;
	esac
	exit 2
}

# build compiles the components into bin/ once per script run.
build() {
	local pkgs=(./consumer-agent ./provider-agent ./bench/provider)
	if compgen -G "$ROOT/registry/cmd/etcd/*.go" >/dev/null; then
		pkgs+=(./registry/cmd/etcd)
	fi
	(cd "$ROOT" && go build -o bin/ "${pkgs[@]}")
}

# listen_addr ARG DEFAULT_HOST: ARG as host:port; a bare port gets
# DEFAULT_HOST (":20000", with nothing before the colon, is every interface).
listen_addr() {
	if [[ "$1" == *:* ]]; then
		echo "$1"
	else
		echo "$2:$1"
	fi
}

# is_port ARG: whether ARG is [host:]port, not a flag.
is_port() {
	[[ "$1" =~ ^(.*:)?[0-9]+$ ]]
}

# running NAME: whether the process in run/NAME.pid runs, and is the one
# launched as NAME (its program is the one in run/NAME.cmd), not another
# that was given the PID of one that has exited.
running() {
	local name="$1" pid prog cmd
	[[ -f "$RUN_DIR/$name.pid" && -f "$RUN_DIR/$name.cmd" ]] || return 1
	pid="$(cat "$RUN_DIR/$name.pid")"
	kill -0 "$pid" 2>/dev/null || return 1
	mapfile -d '' cmd <"$RUN_DIR/$name.cmd"
	prog="$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | head -n 1)"
	[[ -z "$prog" || "$prog" == "${cmd[0]}" ]]
}

# launch NAME CMD...: starts CMD in the background, appending to
# run/NAME.log (a line marks each start, so a restart keeps the previous
# run's last lines), and records its PID in run/NAME.pid and its command
# line in run/NAME.cmd (for relaunch). Refuses if NAME is already running.
launch() {
	local name="$1"; shift
	local pidfile="$RUN_DIR/$name.pid"
	if running "$name"; then
		echo "$name is already running (pid $(cat "$pidfile"))" >&2
		return 1
	fi
	printf '%s\0' "$@" >"$RUN_DIR/$name.cmd"
	echo "=== $(date -u +%Y-%m-%dT%H:%M:%SZ) started: $*" >>"$RUN_DIR/$name.log"
	nohup "$@" >>"$RUN_DIR/$name.log" 2>&1 &
	echo $! >"$pidfile"
	echo "started $name (pid $!), log $RUN_DIR/$name.log"
}

# relaunch NAME: starts NAME again with the command line it was last
# launched with.
relaunch() {
	local name="$1" cmd
	if [[ ! -f "$RUN_DIR/$name.cmd" ]]; then
		echo "$name was never started here (no $RUN_DIR/$name.cmd)" >&2
		return 1
	fi
	mapfile -d '' cmd <"$RUN_DIR/$name.cmd"
	launch "$name" "${cmd[@]}"
}

# stop NAME: SIGTERM to NAME, then SIGKILL if it is still running after
# 10 s; forgets its PID file.
stop() {
	local name="$1" pid pidfile="$RUN_DIR/$1.pid"
	[[ -f "$pidfile" ]] || return 0
	pid="$(cat "$pidfile")"
	if running "$name"; then
		kill -TERM "$pid"
		for _ in $(seq 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "$name (pid $pid) ignored SIGTERM; killing" >&2
			kill -KILL "$pid"
		fi
		echo "stopped $name (pid $pid)"
	fi
	rm -f "$pidfile"
}

# wait_port ADDR NAME: waits up to 15 s for NAME to listen on ADDR's port
# ([host:]port). It asks the kernel (ss) which process listens there
# rather than connecting: a probe connection would reach the process as a
# peer (a TLS agent counts it as a refused handshake).
wait_port() {
	local addr="$1" name="$2" port pid
	port="${addr##*:}"
	pid="$(cat "$RUN_DIR/$name.pid")"
	for _ in $(seq 150); do
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "$name exited; its log:" >&2
			tail -n 20 "$RUN_DIR/$name.log" >&2
			return 1
		fi
		if ss -Hltnp "sport = :$port" 2>/dev/null | grep -q "pid=$pid,"; then
			return 0
		fi
		sleep 0.1
	done
	echo "$name is not listening on port $port after 15 s" >&2
	return 1
}

# provider_index NAME|PORT: the index of a reference provider in
# PROVIDER_NAMES, by name, by its race port, or by the port of the --listen
# it was last started with; fails for none.
provider_index() {
	local i addr
	for i in "${!PROVIDER_NAMES[@]}"; do
		if [[ "$1" == "${PROVIDER_NAMES[$i]}" || "$1" == "${PROVIDER_PORTS[$i]}" ]]; then
			echo "$i"
			return 0
		fi
	done
	for i in "${!PROVIDER_NAMES[@]}"; do
		[[ -f "$RUN_DIR/provider-${PROVIDER_NAMES[$i]}.cmd" ]] || continue
		addr="$(provider_listen "$i")"
		if [[ "$1" == "${addr##*:}" ]]; then
			echo "$i"
			return 0
		fi
	done
	echo "no provider $1: give ${PROVIDER_NAMES[*]}, ${PROVIDER_PORTS[*]} or the port one was started on" >&2
	return 1
}

# listen_of DEFAULT ARGS...: the value of the last --listen in ARGS
# (--listen X or --listen=X), else DEFAULT.
listen_of() {
	local addr="$1"; shift
	while [[ $# -gt 0 ]]; do
		case "$1" in
		--listen | -listen)
			[[ $# -gt 1 ]] && addr="$2"
			shift
			;;
		--listen=* | -listen=*) addr="${1#*=}" ;;
		esac
		shift
	done
	echo "$addr"
}

# provider_listen I: the address reference provider I was last launched to
# listen on, from its recorded command line.
provider_listen() {
	local i="$1" args
	mapfile -d '' args <"$RUN_DIR/provider-${PROVIDER_NAMES[$i]}.cmd"
	listen_of ":${PROVIDER_PORTS[$i]}" "${args[@]}"
}

# start_provider I [FLAGS...]: launches reference provider I with the race's
# settings, then FLAGS (which win over them, as the last of a repeated flag
# does).
start_provider() {
	local i="$1"; shift
	launch "provider-${PROVIDER_NAMES[$i]}" "$BIN/provider" --listen ":${PROVIDER_PORTS[$i]}" \
		--latency "$LATENCY" --threads 200 --capacity "${PROVIDER_CAPACITIES[$i]}" \
		--name "${PROVIDER_NAMES[$i]}" "$@"
}
