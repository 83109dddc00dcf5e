package registry

import (
	"errors"
	"fmt"
	"net"
	"net/url"
)

// Advertising an address that works. A provider agent registers the
// host:port consumer agents should dial. The host that reaches etcd is the
// one whose network the consumer agents share, so when nothing better is
// known the agent advertises the local address of its route to etcd: the
// UDP-connect trick (connecting a UDP socket sends nothing, but the kernel
// picks the route and the source address), for IPv4 and IPv6 alike.

// ErrNoRoute is returned by RouteToEtcd when no endpoint has a route.
var ErrNoRoute = errors.New("registry: no route to any etcd endpoint")

// Route is this host's side of its route to one etcd endpoint.
type Route struct {
	// Local is the address this host sends from to reach Etcd.
	Local net.IP
	// Etcd is the endpoint's host:port, as given.
	Etcd string
}

// RouteToEtcd returns the route to the first of endpoints
// (http(s)://host:port, as ParseEndpoints accepts) that has one. Host names
// are resolved; nothing is sent.
func RouteToEtcd(endpoints []string) (Route, error) {
	var errs []error
	for _, e := range endpoints {
		hp, err := endpointHostPort(e)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c, err := net.Dial("udp", hp)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		local := c.LocalAddr().(*net.UDPAddr).IP
		c.Close()
		return Route{Local: local, Etcd: hp}, nil
	}
	return Route{}, fmt.Errorf("%w: %w", ErrNoRoute, errors.Join(errs...))
}

// EtcdOnLoopback reports whether every endpoint's host is a loopback
// address or resolves only to loopback addresses (localhost): etcd runs on
// this host, and so, presumably, does everything else.
func EtcdOnLoopback(endpoints []string) bool {
	for _, e := range endpoints {
		hp, err := endpointHostPort(e)
		if err != nil {
			return false
		}
		host, _, _ := net.SplitHostPort(hp)
		if !IsLoopbackHost(host) {
			return false
		}
	}
	return len(endpoints) > 0
}

// IsLoopbackHost reports whether host is a loopback address, or a name
// that resolves to loopback addresses only (such as localhost).
func IsLoopbackHost(host string) bool {
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	ips, err := net.LookupIP(host)
	if err != nil || len(ips) == 0 {
		return false
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return false
		}
	}
	return true
}

// endpointHostPort returns the host:port of an http(s)://host:port endpoint.
func endpointHostPort(e string) (string, error) {
	u, err := url.Parse(e)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("registry: %q is not http://host:port or https://host:port", e)
	}
	return u.Host, nil
}
