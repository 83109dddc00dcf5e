// Package e2e tests the whole mesh on real sockets: an embedded etcd, the
// reference providers, provider agents and a consumer agent, each agent and
// provider in its own OS process, built from this repository.
package e2e
