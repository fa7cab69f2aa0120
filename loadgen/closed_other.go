//go:build !linux

package loadgen

import "context"

// runClosed needs epoll.
func runClosed(context.Context, Config) (*Result, error) { return nil, ErrUnsupported }

// hold needs epoll.
func hold(context.Context, Config, int) (*IdleConns, error) { return nil, ErrUnsupported }
