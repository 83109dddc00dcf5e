// Package cmdline parses and checks the command lines of the project's
// binaries, so that every one of them refuses a bad flag the same way: at
// once, before it serves anything, with one line on stderr,
//
//	consumer-agent: --loops: must be in 1..256 (got 0)
//
// and exit status 2.
//
// Parse turns the flag package's own failures (a value that does not parse,
// an unknown flag, a missing value, a stray argument) into an *Error naming
// the flag; Check gathers the first value out of bounds; Listen binds an
// address flag at start so that an address in use is a bad flag too; Exit
// prints the line and exits.
package cmdline
