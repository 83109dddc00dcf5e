// Package peertest is test support for every netpoll handler in the
// project: a peer that sends part of a frame and then leaves (FIN, RST or a
// half-close), and the checks that the server closed its side and went idle.
//
// It is imported by tests only.
package peertest
