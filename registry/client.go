package registry

import (
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc"
	grpcbackoff "google.golang.org/grpc/backoff"
)

// MaxReconnectDelay bounds the wait between the etcd client's attempts to
// reach an etcd that went away. gRPC's default grows to two minutes, which
// after an outage would leave an agent blind to registrations for that long.
const MaxReconnectDelay = 2 * time.Second

// NewClient returns an etcd client for the comma-separated endpoints, set up
// as the agents use it: a 5 s dial timeout and reconnects at most
// MaxReconnectDelay apart. The caller closes it.
func NewClient(endpoints string) (*clientv3.Client, error) {
	return clientv3.New(clientv3.Config{
		Endpoints:   splitEndpoints(endpoints),
		DialTimeout: 5 * time.Second,
		// A member that goes silent (its host froze or lost power) leaves
		// streams that look healthy: ping it, so that watches and lease
		// keep-alives move to another member. 5 s is the least etcd's
		// server accepts without dropping the client for pinging too often.
		DialKeepAliveTime:    5 * time.Second,
		DialKeepAliveTimeout: 2 * time.Second,
		DialOptions: []grpc.DialOption{grpc.WithConnectParams(grpc.ConnectParams{
			Backoff: grpcbackoff.Config{
				BaseDelay:  100 * time.Millisecond,
				Multiplier: 1.6,
				Jitter:     0.2,
				MaxDelay:   MaxReconnectDelay,
			},
			MinConnectTimeout: time.Second,
		})},
	})
}

// splitEndpoints splits a comma-separated endpoint list, trimming spaces and
// dropping empty entries.
func splitEndpoints(s string) []string {
	var out []string
	for _, e := range strings.Split(s, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}
