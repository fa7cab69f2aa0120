// Package cpulist reads and writes CPU lists as taskset -c writes them ("0", "1-3",
// "0,2"), with no dependency on the operating system, so the results' schema can count a
// row's CPUs where the sampler does not build.
//
// Concurrency model: none; pure functions.
package cpulist
