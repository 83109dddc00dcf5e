package registry

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	grpcbackoff "google.golang.org/grpc/backoff"

	"github.com/dubbomesh/dubbomesh/internal/logging"
)

// MaxReconnectDelay bounds the wait between the etcd client's attempts to
// reach an etcd that went away. gRPC's default grows to two minutes, which
// after an outage would leave an agent blind to registrations for that long.
const MaxReconnectDelay = 2 * time.Second

// ErrEndpoints is returned for an etcd endpoint list that cannot work: empty,
// or with an endpoint that is not http://host:port or https://host:port.
var ErrEndpoints = errors.New("registry: bad etcd endpoints")

// ClientOption configures NewClient.
type ClientOption func(*clientv3.Config)

// WithLogger routes the etcd client's own logging into lg: its warnings
// and errors, each distinct message at most once per logging.LibraryEvery
// (logging.Zap). Without it the client logs nothing.
func WithLogger(lg *slog.Logger) ClientOption {
	return func(c *clientv3.Config) { c.Logger = logging.Zap(lg) }
}

// NewClient returns an etcd client for the comma-separated endpoints, set up
// as the agents use it: a 5 s dial timeout and reconnects at most
// MaxReconnectDelay apart. A list ParseEndpoints refuses is an error at once
// (the client would otherwise retry it for ever). The caller closes it.
func NewClient(endpoints string, opts ...ClientOption) (*clientv3.Client, error) {
	eps, err := ParseEndpoints(endpoints)
	if err != nil {
		return nil, err
	}
	cfg := clientv3.Config{
		Logger:      zap.NewNop(),
		Endpoints:   eps,
		DialTimeout: 5 * time.Second,
		// A member that goes silent (its host froze or lost power) leaves
		// streams that look healthy: ping it, so that watches and lease
		// keep-alives move to another member. 10 s is the least gRPC's
		// client allows (it raises a shorter period to 10 s, with a
		// warning at every start) and the least etcd's server accepts.
		DialKeepAliveTime:    10 * time.Second,
		DialKeepAliveTimeout: 2 * time.Second,
		DialOptions: []grpc.DialOption{
			grpc.WithConnectParams(grpc.ConnectParams{
				Backoff: grpcbackoff.Config{
					BaseDelay:  100 * time.Millisecond,
					Multiplier: 1.6,
					Jitter:     0.2,
					MaxDelay:   MaxReconnectDelay,
				},
				MinConnectTimeout: time.Second,
			}),
			// Fixed 1 MiB flow-control windows instead of gRPC's
			// bandwidth-delay estimate, which answers nearly every
			// response with a PING round trip: an idle agent's once-a-
			// second health probe and its lease keep-alives then cost
			// one exchange each, not two (fewer wake-ups at rest).
			grpc.WithStaticStreamWindowSize(1 << 20),
			grpc.WithStaticConnWindowSize(1 << 20),
		},
	}
	for _, o := range opts {
		o(&cfg)
	}
	return clientv3.New(cfg)
}

// ParseEndpoints splits a comma-separated list of etcd endpoints, each
// http://host:port or https://host:port, ignoring spaces and empty entries.
// An empty list, or an endpoint of another form, is an error that matches
// ErrEndpoints under errors.Is and whose text, meant for a --etcd flag's
// message, says what is wrong: `"not a url" is not http://host:port or
// https://host:port`.
func ParseEndpoints(s string) ([]string, error) {
	eps := splitEndpoints(s)
	if len(eps) == 0 {
		return nil, endpointsError(fmt.Sprintf("no endpoint in %q", s))
	}
	for _, e := range eps {
		if !validEndpoint(e) {
			return nil, endpointsError(fmt.Sprintf("%q is not http://host:port or https://host:port", e))
		}
	}
	return eps, nil
}

// endpointsError is ParseEndpoints' error: what is wrong with the list.
type endpointsError string

func (e endpointsError) Error() string        { return string(e) }
func (e endpointsError) Is(target error) bool { return target == ErrEndpoints }

// validEndpoint reports whether e is http(s)://host:port and nothing more.
func validEndpoint(e string) bool {
	u, err := url.Parse(e)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return false
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil || host == "" {
		return false
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 1 && n <= 65535
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
