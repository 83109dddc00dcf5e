package main

import (
	"path/filepath"
	"testing"

	"github.com/dubbomesh/dubbomesh/internal/logging"
	"github.com/dubbomesh/dubbomesh/registry"
)

// An agent started with a registry cache routes by it before etcd is
// read, and saves each snapshot etcd gives it.
func TestRouteByCache(t *testing.T) {
	f := newFake(t, echoPlan)
	path := filepath.Join(t.TempDir(), "registry.json")
	if err := registry.WriteCache(path, snapshot(echoIface, f.endpoint(echoIface, 1))); err != nil {
		t.Fatal(err)
	}
	a := startAgent(t, Config{})
	update := routeByCache(logging.Discard(), a, path)
	f.waitOpen(2)
	c := dial(t, a)
	c.send(post(echoForm("cached")))
	c.expect(200, "cached")

	update(snapshot(echoIface, f.endpoint(echoIface, 7)))
	s, _, err := registry.ReadCache(path)
	if err != nil {
		t.Fatal(err)
	}
	if eps := s[echoIface]; len(eps) != 1 || eps[0].Weight != 7 {
		t.Fatalf("cache holds %v, want the agent at weight 7", s)
	}
}

// Without a cache file (the first start) nothing is routed, and the first
// snapshot creates it.
func TestRouteByCacheFirstStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "registry.json")
	a := startAgent(t, Config{})
	update := routeByCache(logging.Discard(), a, path)
	if a.discovered.Load() {
		t.Fatal("routes set without a cache")
	}
	f := newFake(t, echoPlan)
	update(snapshot(echoIface, f.endpoint(echoIface, 1)))
	if _, _, err := registry.ReadCache(path); err != nil {
		t.Fatalf("cache not written: %v", err)
	}
}
