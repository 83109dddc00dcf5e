// Package cmdlinetest runs a binary's main in a child process of its test
// binary, so that a test can check what the command does with a command
// line: its exit status and what it printed.
//
// In the binary's package:
//
//	func TestMainChild(t *testing.T) { cmdlinetest.Child(t, main) }
//
//	func TestBadFlag(t *testing.T) {
//		r := cmdlinetest.Run(t, "TestMainChild", "--loops", "0")
//		// r.Code == 2, r.Stderr == "consumer-agent: --loops: ...\n"
//	}
package cmdlinetest
