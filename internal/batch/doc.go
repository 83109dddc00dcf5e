// Package batch shares a netpoll connection's writer among goroutines and
// flushes it in batches: many frames, one syscall.
//
// netpoll's Writer is for one goroutine at a time and its methods panic after
// the connection is closed (v0.7.2). A Writer here guards both: writes happen
// under its mutex and stop once the connection's close callback has run.
//
// Batch flush works by holds. A goroutine about to write frames holds the
// Writer, and the last holder to let go flushes. Frames written by goroutines
// that overlap in time therefore leave in one sendmsg. A Set tracks the
// Writers one pass of a handler touched, so a pass that writes to several
// connections flushes each of them once, at the end.
//
// Drain is the batch decode half: a netpoll handler body that hands a
// Decoder every byte read so far in one pass, then flushes the pass's Set.
package batch
