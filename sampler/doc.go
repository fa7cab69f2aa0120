// Package sampler measures a server's process tree: RSS, threads, descriptors and CPU of
// a process and all its descendants (nginx's master and workers), read at 10 Hz (RSS
// through gopsutil's process package), plus context switches summed over every thread on
// demand (switches.go). What gopsutil lacks or does too slowly (the tree scan, the
// descriptor count, the thread list, /proc/PID/status, and the CPU: a process's own and
// its reaped children's, its start time) is read from /proc by hand (procfs.go,
// kernel.go). A process forked between two scans of the tree has its CPU counted from its
// start, and one that ran and ended between two readings through its parent's
// reaped-children time. Summarize turns a window's samples into the figures a summary
// row holds; the row itself is package metrics' schema.
//
// Memory beyond RSS (kernel.go, sockets_linux.go): each sample also holds the tree's page
// tables (VmPTE), its kernel stacks (threads × THREAD_SIZE, 16 KiB on amd64), the bytes
// queued in its TCP connections (sock_diag, the sockets on its listening ports) and its
// PSS (smaps_rollup, shared pages divided among the processes mapping them). Summary's
// KernelPeakKB is the peak of the first three's sum, with its parts at that sample.
// Not counted anywhere: a thread's task_struct (~6 KB) and a connection's socket
// structures (~3.5 KB), listed in kernel.go and sockets_linux.go. PSS and sockets cost more
// to read and are read at most every tick, at a rate that keeps each under 0.5% of a
// core (extraBudget); samples in between carry the last reading.
//
// Context switches (switches.go) come from the kernel's per-process sum (taskstats, with
// CAP_NET_ADMIN), or from every thread's /proc status up to 2048 threads; beyond that
// Switches.Known is false and the figure must be left empty, never written as 0.
//
// Starvation (runq.go, cpustat.go): at each tick the sampler also reads the time the
// tree's threads waited runnable on a run queue (schedstat's run_delay, summed over every
// thread: the kernel's sum through taskstats, else each thread's
// /proc/PID/task/TID/schedstat at a throttled rate) and the busy time of the root's CPUs
// (/proc/stat, whoever ran there), which metrics.Starved reads.
//
// Concurrency model: a Sampler runs one goroutine that reads /proc at its interval and
// keeps its samples behind a mutex; readers take a snapshot. Switches and SwitchesSince
// may be called from another goroutine while it runs.
package sampler
