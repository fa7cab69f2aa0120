package sampler

import (
	"bytes"
	"errors"
)

// cpuStat is each CPU's busy and total time at the last reading of /proc/stat, in clock
// ticks, indexed by CPU number (read false for a CPU not listed: offline).
type cpuStat struct {
	busy, total []int64
	read        []bool
}

// readCPUStat reads the per-CPU lines of /proc/stat ("cpuN user nice system idle iowait
// irq softirq steal guest guest_nice"): total is the sum of the first eight (guest time
// is already in user and nice), busy is total − idle − iowait.
func readCPUStat(buf *[]byte) (cpuStat, error) {
	b, err := readProcFile(procRoot+"/stat", buf)
	if err != nil {
		return cpuStat{}, err
	}
	return parseCPUStat(b)
}

func parseCPUStat(b []byte) (cpuStat, error) {
	var st cpuStat
	for len(b) > 0 {
		var line []byte
		line, b = nextLine(b)
		if len(line) < 4 || !bytes.HasPrefix(line, []byte("cpu")) || line[3] < '0' || line[3] > '9' {
			continue // the "cpu" line (the sum), and every other line
		}
		f := bytes.Fields(line)
		n, ok := parseUint(f[0][3:])
		if !ok || len(f) < 9 || n > 1<<16 {
			return cpuStat{}, errors.New("sampler: /proc/stat: malformed " + string(f[0]) + " line")
		}
		var v [8]int64
		for i := range v {
			if v[i], ok = parseUint(f[1+i]); !ok {
				return cpuStat{}, errors.New("sampler: /proc/stat: malformed " + string(f[0]) + " line")
			}
		}
		total := v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7]
		st.set(int(n), total-v[3]-v[4], total)
	}
	if len(st.read) == 0 {
		return cpuStat{}, errors.New("sampler: /proc/stat has no per-CPU line")
	}
	return st, nil
}

func (st *cpuStat) set(cpu int, busy, total int64) {
	for len(st.read) <= cpu {
		st.busy, st.total, st.read = append(st.busy, 0), append(st.total, 0), append(st.read, false)
	}
	st.busy[cpu], st.total[cpu], st.read[cpu] = busy, total, true
}

// since is the busy and elapsed time of cpus (every CPU listed if nil) between prev and
// st, in seconds summed over those CPUs. A CPU must be in both readings; a counter that
// went back (iowait may, on some kernels) counts 0, and busy never exceeds elapsed.
func (st cpuStat) since(prev cpuStat, cpus []int) (busy, total float64) {
	one := func(c int) {
		if c < 0 || c >= len(st.read) || c >= len(prev.read) || !st.read[c] || !prev.read[c] {
			return
		}
		t := max(0, st.total[c]-prev.total[c])
		busy += float64(min(t, max(0, st.busy[c]-prev.busy[c]))) / clockTicks
		total += float64(t) / clockTicks
	}
	if cpus == nil {
		for c := range st.read {
			one(c)
		}
	} else {
		for _, c := range cpus {
			one(c)
		}
	}
	return busy, total
}

// readBusy fills smp's busy and elapsed time of the root's CPUs since the previous
// reading (zero at the first, or when /proc/stat cannot be read).
func (q *runqReader) readBusy(smp *Sample) {
	st, err := readCPUStat(&q.buf)
	if err != nil {
		return // the next reading covers this tick
	}
	if q.stat.read != nil {
		smp.CPUsBusy, smp.CPUsTime = st.since(q.stat, q.cpus)
	}
	q.stat = st
}
