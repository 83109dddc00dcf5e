# Shared by the start and stop scripts: sourced, not run.
# Binaries go to bin/, PID files and logs to run/ (both at the repository root).
# Environment:
#   ETCD       etcd endpoints for the agents (default http://127.0.0.1:2379)
#   RUN_DIR    where PID files and logs go (default run/)
#   LATENCY    per-call provider latency (default 50ms)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/bin"
RUN_DIR="${RUN_DIR:-$ROOT/run}"
ETCD="${ETCD:-http://127.0.0.1:2379}"
mkdir -p "$RUN_DIR"

# build compiles the components into bin/ once per script run.
build() {
	local pkgs=(./consumer-agent ./provider-agent ./bench/provider)
	if compgen -G "$ROOT/registry/cmd/etcd/*.go" >/dev/null; then
		pkgs+=(./registry/cmd/etcd)
	fi
	(cd "$ROOT" && go build -o bin/ "${pkgs[@]}")
}

# launch NAME CMD...: starts CMD in the background, logging to run/NAME.log,
# and records its PID in run/NAME.pid. Refuses if NAME is already running.
launch() {
	local name="$1"; shift
	local pidfile="$RUN_DIR/$name.pid"
	if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
		echo "$name is already running (pid $(cat "$pidfile"))" >&2
		return 1
	fi
	nohup "$@" >"$RUN_DIR/$name.log" 2>&1 &
	echo $! >"$pidfile"
	echo "started $name (pid $!), log $RUN_DIR/$name.log"
}

# wait_port PORT NAME: waits up to 15 s for 127.0.0.1:PORT to accept.
wait_port() {
	local port="$1" name="$2"
	for _ in $(seq 150); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			return 0
		fi
		if ! kill -0 "$(cat "$RUN_DIR/$name.pid")" 2>/dev/null; then
			echo "$name exited; its log:" >&2
			tail -n 20 "$RUN_DIR/$name.log" >&2
			return 1
		fi
		sleep 0.1
	done
	echo "$name is not listening on port $port after 15 s" >&2
	return 1
}
