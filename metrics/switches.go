package metrics

import (
	"context"
	"fmt"
	"math"

	"github.com/shirou/gopsutil/v4/common"
	"github.com/shirou/gopsutil/v4/process"
)

// A process's context switches are the sum over its threads: /proc/PID/status, which
// gopsutil's Process.NumCtxSwitches reads, counts the main thread's only (a thread that
// slept 500 times adds 0 there). So each thread is read through gopsutil as a process of
// its own under /proc/PID/task, where its TID cannot name another process's thread.
//
// Reading a thread's context switches means reading its status file: ~25 µs here, so
// 0.2 s of the client's CPU for the threaded server at 8000 connections. A process with
// more than switchSampleMax threads is therefore read through its first switchFixed
// threads (the runtime's own, started first, whose counts differ from the connections')
// and an even sample of the others, each standing for its share of them.
const (
	switchSampleMax = 256
	switchFixed     = 16
)

// Switches are context switches summed over every thread of every process of a tree.
type Switches struct{ Voluntary, Involuntary int64 }

// Sub is the switches made between an earlier reading and s, never negative.
func (s Switches) Sub(earlier Switches) Switches {
	return Switches{max(0, s.Voluntary-earlier.Voluntary), max(0, s.Involuntary-earlier.Involuntary)}
}

// SwitchReading is one reading of a tree's context switches, thread by thread, to be
// compared with a later one by Sampler.SwitchesSince.
type SwitchReading struct {
	procs map[int]procSwitches
}

type procSwitches struct {
	sampled bool             // only some threads read: read the same ones again
	weight  float64          // threads each sampled thread stands for
	threads map[int]Switches // tid → counts
	fixed   map[int]bool     // tids read as themselves (weight 1) in a sampled process
}

// Switches reads the context switches of the tree's current members.
func (s *Sampler) Switches() (SwitchReading, error) {
	r := SwitchReading{procs: map[int]procSwitches{}}
	for i, pid := range s.currentMembers() {
		tids, err := taskIDs(pid)
		if err != nil {
			if i == 0 {
				return r, err
			}
			continue
		}
		read := threadReader(pid)
		ps := procSwitches{weight: 1, threads: map[int]Switches{}}
		chosen := tids
		if len(tids) > switchSampleMax {
			ps.sampled, ps.fixed = true, map[int]bool{}
			chosen, ps.weight = sampleTIDs(tids)
			for _, tid := range tids[:switchFixed] {
				ps.fixed[tid] = true
			}
		}
		for _, tid := range chosen {
			if sw, ok := read(tid); ok {
				ps.threads[tid] = sw
			}
		}
		r.procs[pid] = ps
	}
	return r, nil
}

// sampleTIDs keeps the first switchFixed threads and an even sample of the rest, and
// returns how many threads each sampled one stands for.
func sampleTIDs(tids []int) ([]int, float64) {
	rest := tids[switchFixed:]
	k := (len(rest) + switchSampleMax - switchFixed - 1) / (switchSampleMax - switchFixed)
	chosen := append([]int(nil), tids[:switchFixed]...)
	for i := 0; i < len(rest); i += k {
		chosen = append(chosen, rest[i])
	}
	return chosen, float64(len(rest)) / float64(len(chosen)-switchFixed)
}

// SwitchesSince is the context switches the tree made since the earlier reading. A
// sampled process is read through the same threads as before; in the others every
// thread is read, and one born since counts whole. A thread that exited meanwhile takes
// its switches with it.
func (s *Sampler) SwitchesSince(earlier SwitchReading) (Switches, error) {
	var vol, invol float64
	for i, pid := range s.currentMembers() {
		before, seen := earlier.procs[pid]
		var tids []int
		if seen && before.sampled {
			for tid := range before.threads {
				tids = append(tids, tid)
			}
		} else {
			var err error
			if tids, err = taskIDs(pid); err != nil {
				if i == 0 {
					return Switches{}, err
				}
				continue
			}
		}
		read := threadReader(pid)
		for _, tid := range tids {
			now, ok := read(tid)
			if !ok {
				continue
			}
			d := now.Sub(before.threads[tid]) // a thread not read before: all of it
			w := 1.0
			if before.sampled && !before.fixed[tid] {
				w = before.weight
			}
			vol += w * float64(d.Voluntary)
			invol += w * float64(d.Involuntary)
		}
	}
	return Switches{int64(math.Round(vol)), int64(math.Round(invol))}, nil
}

// threadReader returns a reader of the context switches of pid's threads, through
// gopsutil pointed at /proc/PID/task: false if the thread has exited.
func threadReader(pid int) func(tid int) (Switches, bool) {
	ctx := context.WithValue(context.Background(), common.EnvKey,
		common.EnvMap{common.HostProcEnvKey: fmt.Sprintf("%s/%d/task", procRoot, pid)})
	return func(tid int) (Switches, bool) {
		sw, err := (&process.Process{Pid: int32(tid)}).NumCtxSwitchesWithContext(ctx)
		if err != nil {
			return Switches{}, false
		}
		return Switches{sw.Voluntary, sw.Involuntary}, true
	}
}
