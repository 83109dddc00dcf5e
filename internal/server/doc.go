// Package server starts the agents' netpoll listeners: one netpoll server
// with a poller per event loop, serving its connections in the background.
package server
