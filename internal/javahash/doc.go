// Package javahash computes Java's String.hashCode from UTF-8 text: the
// answer the race's IHelloService.hash gives, which the reference provider
// returns and every checker compares against.
package javahash
