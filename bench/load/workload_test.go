package load

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/bench/demo"
)

// userServer starts an HTTP server answering getUser and echo as the mesh
// should: the user's JSON, application/json. For echo it decodes the
// argument and answers the id's user. mangle, if not nil, may change the
// body.
func userServer(t testing.TB, mangle func(body []byte) []byte) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Form.Get("interface") != demo.Interface {
			http.Error(w, "error: bad form", http.StatusBadRequest)
			return
		}
		var id int64
		var err error
		switch r.Form.Get("method") {
		case "getUser":
			id, err = strconv.ParseInt(r.Form.Get("parameter"), 10, 64)
		case "echo":
			var arg struct{ ID int64 }
			err = json.Unmarshal([]byte(r.Form.Get("parameter")), &arg)
			id = arg.ID
		}
		if err != nil {
			http.Error(w, "error: bad parameter", http.StatusBadRequest)
			return
		}
		u := demo.GetUser(id)
		body := u.AppendJSON(nil)
		if mangle != nil {
			body = mangle(body)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

func runFor(t *testing.T, cfg Config, d time.Duration) Result {
	t.Helper()
	g, err := Start(cfg)
	noErr(t, err)
	time.Sleep(d)
	res := g.Stop()
	g.Close()
	return res
}

func TestUserWorkloads(t *testing.T) {
	for _, w := range []Workload{User, UserMixed} {
		addr := userServer(t, nil)
		res := runFor(t, Config{Addr: addr, Conns: 4, Workload: w, Seed: 3}, 300*time.Millisecond)
		if res.Correct < 10 || res.Wrong != 0 || res.Failed != 0 {
			t.Fatalf("%v: correct %d, wrong %d, failed %d", w, res.Correct, res.Wrong, res.Failed)
		}
		bad := userServer(t, func(b []byte) []byte {
			return []byte(strings.Replace(string(b), `"balance":`, `"balance":1`, 1))
		})
		res = runFor(t, Config{Addr: bad, Conns: 2, Workload: w}, 200*time.Millisecond)
		if res.Wrong == 0 || res.Correct != 0 {
			t.Fatalf("%v with wrong balances: correct %d, wrong %d", w, res.Correct, res.Wrong)
		}
	}
	if _, err := Start(Config{Addr: "127.0.0.1:1", Conns: 1, Workload: Workload(9)}); err == nil {
		t.Fatal("Start accepted an unknown workload")
	}
}

// TestUserMixedDrawsEchoes checks the mix: ids over the whole range, one
// call in four an echo.
func TestUserMixedDrawsEchoes(t *testing.T) {
	w := &worker{g: &Generator{cfg: Config{Addr: "h", Workload: UserMixed}}, params: NewParams(5)}
	echoes, seen := 0, map[int64]bool{}
	const n = 40000
	for range n {
		w.nextRequest()
		seen[w.userID] = true
		if strings.Contains(string(w.req), "method=echo") {
			echoes++
		}
	}
	if echoes < n/4-n/40 || echoes > n/4+n/40 || len(seen) != UserIDs {
		t.Fatalf("%d echoes of %d calls, %d ids", echoes, n, len(seen))
	}
}
