// Package freeport hands out loopback addresses for the processes that
// tests and the bench start, with ports that no outgoing connection can
// take in the meantime.
package freeport
