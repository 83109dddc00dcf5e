package registry

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestCacheRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "registry.json")
	s := Snapshot{
		testIface:       {{Interface: testIface, Addr: "10.0.0.1:30000", Weight: 3, Capacity: 200}, {Interface: testIface, Addr: "10.0.0.2:30000", Weight: 5, TLS: true}},
		"other.Service": {{Interface: "other.Service", Addr: "10.0.0.1:30000", Weight: 1}},
	}
	before := time.Now()
	if err := WriteCache(path, s); err != nil {
		t.Fatal(err)
	}
	got, saved, err := ReadCache(path)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Before(before.Add(-time.Second)) || saved.After(time.Now().Add(time.Second)) {
		t.Errorf("saved %v", saved)
	}
	assertEq(t, addrs(got, testIface), "10.0.0.1:30000/3 10.0.0.2:30000/5", "endpoints")
	assertEq(t, addrs(got, "other.Service"), "10.0.0.1:30000/1", "other service")
	if ep := got[testIface][0]; ep.Capacity != 200 {
		t.Errorf("capacity %d", ep.Capacity)
	}
	if ep := got[testIface][1]; !ep.TLS {
		t.Error("tls lost")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("%d files in the cache's directory, want the cache alone", len(entries))
	}
}

// A cache edited by hand is read with etcd's checks: a bad entry is left
// out; a file that is not a cache is an error.
func TestCacheRefusesGarbage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "registry.json")
	os.WriteFile(path, []byte(`{"saved":"2026-12-07T00:00:00Z","keys":{"/dubbomesh/`+testIface+`/10.0.0.1:30000":"{\"weight\":3}","/dubbomesh/x/bad":"{\"weight\":3}","/dubbomesh/y/10.0.0.2:1":"nope"}}`), 0o644)
	got, _, err := ReadCache(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || addrs(got, testIface) != "10.0.0.1:30000/3" {
		t.Fatalf("got %v", got)
	}
	os.WriteFile(path, []byte("not json"), 0o644)
	if _, _, err := ReadCache(path); err == nil {
		t.Fatal("a file that is not a cache was read")
	}
	if _, _, err := ReadCache(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("a missing cache was read")
	}
}
