//go:build !linux

package main

import "testing"

// procThreads reads /proc, which only Linux has.
func procThreads(t *testing.T, _ int) int {
	t.Skip("reads /proc (Linux)")
	return 0
}
