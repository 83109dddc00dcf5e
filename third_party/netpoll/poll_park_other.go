// Copyright 2026 The dubbomesh Authors. Licensed under the Apache License,
// Version 2.0, as the rest of this package (see LICENSE).

//go:build !linux

package netpoll

// SetParkIdle is a no-op outside Linux: pollers there wait as upstream's do.
func SetParkIdle(on bool) {}

// ParkIdle reports false outside Linux.
func ParkIdle() bool { return false }
