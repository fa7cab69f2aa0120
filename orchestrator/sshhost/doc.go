// Package sshhost runs the suite's servers and loads on other hosts, over ssh: the
// multi-host side of `bench run --server-host/--client-hosts`. The orchestrator's core
// knows a host only through its interfaces (orchestrator.ServerHost, Server, Engine);
// this package implements them.
//
// Host is one machine: Connect checks it (same OS and architecture as this build) and
// puts this build of bench there (the installed one if its hash matches, else a copy in
// a temp folder that a `bench keep` session removes however the run ends). Each child
// command (`bench serve`, `bench peer`, `bench sample`, `bench load`) runs in its own ssh
// session, started with --exit-on-stdin-eof, and is ended by closing that session's
// stdin; its arguments and replies are package internal/wire's, shared with cmd/bench.
// PeersOn copies the peer scripts there and asks whether each can run.
//
// Engine is the load generator split over the client hosts: each gets its share of the
// connections or of the rate, all begin their windows at one instant, and their replies
// are merged (histograms merged, never percentiles). A host named "local" is this
// machine, reached with sh -c instead of ssh (the tests use it).
package sshhost
