package registry

import (
	"errors"
	"testing"
)

func TestRouteToEtcd(t *testing.T) {
	r, err := RouteToEtcd([]string{"http://127.0.0.1:2379"})
	if err != nil || !r.Local.IsLoopback() || r.Etcd != "127.0.0.1:2379" {
		t.Fatalf("route to 127.0.0.1: %+v, %v; want a loopback source", r, err)
	}
	if r, err := RouteToEtcd([]string{"http://[::1]:2379"}); err == nil && !r.Local.IsLoopback() {
		t.Fatalf("route to ::1 from %v, want loopback", r.Local)
	}
	// The first endpoint without a route is skipped.
	r, err = RouteToEtcd([]string{"http://no-such-host.invalid:2379", "http://127.0.0.2:2379"})
	if err != nil || r.Etcd != "127.0.0.2:2379" {
		t.Fatalf("with a first endpoint that does not resolve: %+v, %v", r, err)
	}
	if _, err := RouteToEtcd([]string{"http://no-such-host.invalid:2379"}); !errors.Is(err, ErrNoRoute) {
		t.Fatalf("err = %v, want ErrNoRoute", err)
	}
}

func TestEtcdOnLoopback(t *testing.T) {
	for _, tc := range []struct {
		eps  []string
		want bool
	}{
		{[]string{"http://127.0.0.1:2379"}, true},
		{[]string{"http://localhost:2379"}, true},
		{[]string{"http://[::1]:2379", "https://127.0.0.3:2379"}, true},
		{[]string{"http://127.0.0.1:2379", "http://10.1.2.3:2379"}, false},
		{[]string{"http://10.1.2.3:2379"}, false},
		{[]string{"http://[fd00::1]:2379"}, false},
		{nil, false},
	} {
		if got := EtcdOnLoopback(tc.eps); got != tc.want {
			t.Errorf("EtcdOnLoopback(%q) = %v, want %v", tc.eps, got, tc.want)
		}
	}
}
