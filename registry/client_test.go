package registry

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestNewClient(t *testing.T) {
	e, err := StartEmbedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	cli, err := NewClient(e.Endpoints()[0])
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := cli.Put(ctx, Prefix+"x/127.0.0.1:1", ""); err != nil {
		t.Fatal(err)
	}
}

func TestSplitEndpoints(t *testing.T) {
	got := fmt.Sprint(splitEndpoints(" http://a:1, http://b:2,,http://c:3 "))
	if want := "[http://a:1 http://b:2 http://c:3]"; got != want {
		t.Fatalf("splitEndpoints = %s, want %s", got, want)
	}
}

func TestParseEndpoints(t *testing.T) {
	for _, good := range []string{
		"http://127.0.0.1:2379", " http://a:1, https://b:2 ,,", "http://[::1]:2379", "http://etcd.local:2379/",
	} {
		if _, err := ParseEndpoints(good); err != nil {
			t.Errorf("ParseEndpoints(%q): %v", good, err)
		}
	}
	for _, bad := range []string{
		"", " , ", "not a url", "127.0.0.1:2379", "localhost:2379", "unix:///tmp/etcd", "ftp://a:1",
		"http://a", "http://:2379", "http://a:0", "http://a:99999", "http://a:x", "http://u@a:1",
		"http://a:1/v3", "http://a:1?x=1", "http://a:1,not a url", "http://a b:1", "%zz",
	} {
		_, err := ParseEndpoints(bad)
		if !errors.Is(err, ErrEndpoints) {
			t.Errorf("ParseEndpoints(%q): error %v, want ErrEndpoints", bad, err)
		}
	}
}

func TestNewClientRefusesBadEndpoints(t *testing.T) {
	if _, err := NewClient("not a url"); !errors.Is(err, ErrEndpoints) {
		t.Fatalf("NewClient(not a url): error %v, want ErrEndpoints", err)
	}
}
