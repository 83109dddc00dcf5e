package registry

import (
	"context"
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
