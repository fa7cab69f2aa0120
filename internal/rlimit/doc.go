// Package rlimit raises the process's open-file limit, so a point of N connections does
// not ask the user to run `ulimit -n` first.
//
// Concurrency model: RaiseNoFile changes process-wide state; call it once, early in main.
package rlimit
