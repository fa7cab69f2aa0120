//go:build !slowdown

package servers

// slowdown is a no-op outside the CI gate's slowdown build (slowdown.go).
func slowdown() {}
