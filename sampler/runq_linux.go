package sampler

import (
	"encoding/binary"
	"errors"
	"unsafe"

	"golang.org/x/sys/unix"
)

// runqDelay returns the time every thread tgid has had waited runnable on a run queue,
// in nanoseconds: the kernel's sum of the threads' sched_info.run_delay (field 2 of
// /proc/PID/task/TID/schedstat), the live ones' and the exited ones' (taskstats'
// cpu_delay_total, filled whether or not delay accounting is on: kernel/delayacct.c,
// delayacct_add_tsk).
func (c *taskstatsConn) runqDelay(tgid int) (int64, error) {
	v := binary.NativeEndian.AppendUint32(nil, uint32(tgid))
	attrs, err := c.ask(c.family, unix.TASKSTATS_CMD_GET, unix.TASKSTATS_CMD_ATTR_TGID, v)
	if err != nil {
		return 0, err
	}
	aggr, ok := nlAttr(attrs, unix.TASKSTATS_TYPE_AGGR_TGID)
	if !ok {
		return 0, errors.New("sampler: taskstats: no AGGR_TGID in the reply")
	}
	st, ok := nlAttr(aggr, unix.TASKSTATS_TYPE_STATS)
	off := unsafe.Offsetof(unix.Taskstats{}.Cpu_delay_total)
	if !ok || uintptr(len(st)) < off+8 {
		return 0, errors.New("sampler: taskstats: reply too short")
	}
	return int64(binary.NativeEndian.Uint64(st[off:])), nil
}

// cpusOf lists the CPUs pid may run on (its affinity); nil if it cannot be read.
func cpusOf(pid int) []int {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(pid, &set); err != nil {
		return nil
	}
	var cpus []int
	for c := 0; c < len(set)*64; c++ {
		if set.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	return cpus
}
