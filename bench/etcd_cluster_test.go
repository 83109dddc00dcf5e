package main

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

func TestParseFlagsEtcdMembers(t *testing.T) {
	cfg, err := parseFlags(nil, io.Discard)
	noErr(t, err)
	eq(t, "default members", cfg.etcdMembers, 1)

	cfg, err = parseFlags([]string{"--faults", "--etcd-members", "3"}, io.Discard)
	noErr(t, err)
	eq(t, "members", cfg.etcdMembers, 3)
	// By default a 3-member run has the rows that fit it: etcd-leader, not
	// etcd-down (which stops the only etcd).
	eq(t, "rows", strings.Join(cfg.faultRows, ","), "kill9-agent,sigterm-agent,kill-provider,slow-provider,threadpool,frozen-agent,readonly-restart,etcd-cut,etcd-leader")

	cfg, err = parseFlags([]string{"--faults", "--etcd-members", "3", "--fault-rows", "etcd-leader"}, io.Discard)
	noErr(t, err)
	eq(t, "rows", strings.Join(cfg.faultRows, ","), "etcd-leader")

	cfg, err = parseFlags([]string{"--etcd-members", "3", "--quick"}, io.Discard)
	noErr(t, err)
	eq(t, "scoring run on 3 members", cfg.etcdMembers, 3)

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--etcd-members", "2"}, "1 or 3"},
		{[]string{"--etcd-members", "0"}, "1 or 3"},
		{[]string{"--etcd-members", "-3"}, "1 or 3"},
		{[]string{"--etcd-members", "3", "--etcd", "http://127.0.0.1:2379"}, "external"},
		{[]string{"--etcd-members", "1", "--etcd", "http://127.0.0.1:2379"}, "external"},
		{[]string{"--faults", "--fault-rows", "etcd-leader"}, "etcd-leader needs --etcd-members 3"},
		{[]string{"--faults", "--etcd-members", "1", "--fault-rows", "kill9-agent,etcd-leader"}, "etcd-leader needs --etcd-members 3"},
		{[]string{"--faults", "--etcd-members", "3", "--fault-rows", "etcd-down"}, "etcd-down needs --etcd-members 1"},
	} {
		_, err := parseFlags(c.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one saying %q", c.args, err, c.want)
		}
	}
	// An external etcd alone is still accepted outside --faults.
	cfg, err = parseFlags([]string{"--etcd", "http://127.0.0.1:2379"}, io.Discard)
	noErr(t, err)
	eq(t, "external", cfg.etcd, "http://127.0.0.1:2379")
}

func TestDefaultFaultRows(t *testing.T) {
	one, three := defaultFaultRows(1), defaultFaultRows(3)
	eq(t, "1 member: etcd-down", slices.Contains(one, "etcd-down"), true)
	eq(t, "1 member: no etcd-leader", slices.Contains(one, "etcd-leader"), false)
	eq(t, "3 members: no etcd-down", slices.Contains(three, "etcd-down"), false)
	eq(t, "3 members: etcd-leader", slices.Contains(three, "etcd-leader"), true)
	// Every row runs in at least one setting, and each default parses.
	for _, d := range faultRowDefs {
		if !slices.Contains(one, d.name) && !slices.Contains(three, d.name) {
			t.Errorf("row %s is in no default", d.name)
		}
	}
	for _, m := range []int{1, 3} {
		if _, err := parseFaultRows(strings.Join(defaultFaultRows(m), ","), m); err != nil {
			t.Errorf("default rows for %d members: %v", m, err)
		}
	}
}

func TestAgreedLeader(t *testing.T) {
	const a, b, c = 0xa, 0xb, 0xc
	down := errors.New("down")
	for _, tc := range []struct {
		name string
		st   []memberStatus
		not  uint64
		want int
	}{
		{"all follow b", []memberStatus{{id: a, leader: b}, {id: b, leader: b}, {id: c, leader: b}}, 0, 1},
		{"survivors follow c", []memberStatus{{id: a, leader: c}, {id: c, leader: c}}, b, 1},
		{"survivors still follow the killed leader", []memberStatus{{id: a, leader: b}, {id: c, leader: b}}, b, -1},
		{"one has no leader yet", []memberStatus{{id: a, leader: a}, {id: b, leader: 0}, {id: c, leader: a}}, 0, -1},
		{"split", []memberStatus{{id: a, leader: a}, {id: b, leader: c}, {id: c, leader: c}}, 0, -1},
		{"one unreachable", []memberStatus{{id: a, leader: a}, {err: down}, {id: c, leader: a}}, 0, -1},
		{"leader not among them", []memberStatus{{id: a, leader: b}, {id: c, leader: b}}, 0, -1},
		{"none", nil, 0, -1},
	} {
		i, ok := agreedLeader(tc.st, tc.not)
		if i != tc.want || ok != (tc.want >= 0) {
			t.Errorf("%s: agreedLeader = %d, %v; want %d", tc.name, i, ok, tc.want)
		}
	}
}

func TestIsEtcdProc(t *testing.T) {
	for name, want := range map[string]bool{"etcd": true, "etcd-a": true, "etcd-c": true,
		"etcdx": false, "provider-agent-small": false, "consumer-agent": false} {
		eq(t, name, isEtcdProc(name), want)
	}
}
