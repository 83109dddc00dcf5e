package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Errors of the control endpoint's parameters.
var (
	errBadLatency = errors.New("provider: latency must be a duration of at least 0, e.g. 500ms")
	errBadThreads = errors.New("provider: threads must be an integer of at least 1")
	errNoSetting  = errors.New("provider: POST /control needs latency=<duration> and/or threads=<n>")
)

// maxControlLatency bounds a latency set at run time, as sleep(long) bounds
// its argument: a day.
const maxControlLatency = 24 * time.Hour

// controlState is the JSON of GET and POST /control.
type controlState struct {
	Latency   string `json:"latency"`    // Go duration syntax
	LatencyNs int64  `json:"latency_ns"` // the same in nanoseconds
	Threads   int    `json:"threads"`
	InFlight  int64  `json:"in_flight"` // threads held right now
}

// state reads the current settings.
func (s *server) state() controlState {
	d := time.Duration(s.latency.Load())
	return controlState{Latency: d.String(), LatencyNs: int64(d), Threads: s.lim.threadCount(),
		InFlight: s.lim.inFlight()}
}

// parseControl reads the settings of a POST /control query: latency (a Go
// duration) and threads. A nil result means the setting was absent. It
// rejects a query with neither, or with a value that does not parse.
func parseControl(q map[string][]string) (latency *time.Duration, threads *int, err error) {
	if v, ok := q["latency"]; ok {
		d, err := time.ParseDuration(last(v))
		if err != nil || d < 0 || d > maxControlLatency {
			return nil, nil, fmt.Errorf("%w: %q", errBadLatency, last(v))
		}
		latency = &d
	}
	if v, ok := q["threads"]; ok {
		n, err := strconv.Atoi(last(v))
		if err != nil || n < 1 || n > 1<<20 {
			return nil, nil, fmt.Errorf("%w: %q", errBadThreads, last(v))
		}
		threads = &n
	}
	if latency == nil && threads == nil {
		return nil, nil, errNoSetting
	}
	return latency, threads, nil
}

func last(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

// adminHandler serves the runtime control endpoint:
//
//	GET  /control                       the current settings as JSON
//	POST /control?latency=500ms         per-call latency for calls arriving from now on
//	POST /control?threads=20            concurrent call limit from now on
//
// A POST may set both; both are validated before either is applied, and
// the answer is the settings afterwards. Bad input is a 400 whose body is
// one line, "error: ...". Calls in flight keep the latency and the thread
// they took. The handler is safe for concurrent use; it is off the call
// path, which reads the settings with one atomic load each.
func (s *server) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/control", func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead:
		case http.MethodPost:
			if err := r.ParseForm(); err != nil {
				http.Error(w, "error: "+err.Error(), http.StatusBadRequest)
				return
			}
			latency, threads, err := parseControl(r.Form)
			if err != nil {
				http.Error(w, "error: "+err.Error(), http.StatusBadRequest)
				return
			}
			if latency != nil {
				s.setLatency(*latency)
			}
			if threads != nil {
				s.setThreads(*threads)
			}
			st := s.state()
			s.logf("control: latency %s, threads %d", st.Latency, st.Threads)
		default:
			w.Header().Set("Allow", "GET, POST")
			http.Error(w, "error: method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(s.state())
	})
	return mux
}

// serveAdmin serves adminHandler on ln until ln is closed.
func (s *server) serveAdmin(ln net.Listener) error {
	srv := &http.Server{Handler: s.adminHandler(), ReadHeaderTimeout: 5 * time.Second}
	return srv.Serve(ln)
}
