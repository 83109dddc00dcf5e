// Copyright 2026 the dubbomesh authors. Licensed under the Apache License,
// Version 2.0, as the rest of this package (see LICENSE).

package netpoll

import (
	"errors"
	"syscall"
)

// endInput offers op's OnEOF the peer's FIN that the poller met (evt, and
// the read's error, if any). It reports whether OnEOF took it; a hang-up,
// an error, or a read failing otherwise than at the end of input is not
// offered.
func endInput(op *FDOperator, evt uint32, err error) bool {
	if op.OnEOF == nil || evt&(syscall.EPOLLHUP|syscall.EPOLLERR) != 0 {
		return false
	}
	if err != nil && !errors.Is(err, ErrEOF) {
		return false
	}
	return op.OnEOF()
}
