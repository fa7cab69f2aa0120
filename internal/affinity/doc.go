// Package affinity pins processes to CPU sets and reads and writes CPU lists ("0", "1-3",
// "0,2"), so a server and its load generator run on disjoint cores and the run records
// which.
//
// Concurrency model: no state; Pin walks /proc/PID/task once and sets each thread's
// affinity, so threads created afterwards inherit it from their creator.
package affinity
