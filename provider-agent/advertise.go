package main

import (
	"net"
	"strconv"

	"github.com/dubbomesh/dubbomesh/internal/cmdline"
	"github.com/dubbomesh/dubbomesh/registry"
)

// advertise returns the host:port to register for an agent listening on
// listen and accepting on port, and why that host: --advertise when given
// (as it is, loopback included: the user said so); else the listen host
// when it names one; else the local address of this host's route to etcd
// (registry.RouteToEtcd), the address on the network the consumer agents
// share with etcd. A loopback host that --advertise did not name is
// refused when etcd is not on this host: consumer agents elsewhere could
// not dial it. The error is a *cmdline.Error naming --advertise.
func advertise(explicit, listen string, port int, etcd []string) (addr, why string, err error) {
	if explicit != "" {
		return explicit, "--advertise", nil
	}
	host, why := "", ""
	if h, _, err := net.SplitHostPort(listen); err == nil && dialable(h) {
		host, why = h, "the --listen host"
	} else {
		r, err := registry.RouteToEtcd(etcd)
		if err != nil {
			return "", "", cmdline.Errorf("advertise", "no default: %v; give --advertise host:port", err)
		}
		host, why = r.Local.String(), "the local address of the route to etcd "+r.Etcd
	}
	addr = net.JoinHostPort(host, strconv.Itoa(port))
	if registry.IsLoopbackHost(host) && !registry.EtcdOnLoopback(etcd) {
		return "", "", cmdline.Errorf("advertise", "%s (%s) is a loopback address but etcd is on another host, so consumer agents there could not dial it; give --advertise host:port with an address they can reach (--advertise %s to mean it)", addr, why, addr)
	}
	return addr, why, nil
}
