package plots

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrHgrm is returned for a file that is not hdrhistogram-go PercentilesPrint output or
// whose name is not <server>_<scenario>_<level>.hgrm.
var ErrHgrm = errors.New("plots: not an .hgrm percentile file")

// Hist is one .hgrm file: the latency distribution of one server × scenario × level.
type Hist struct {
	Server, Scenario string
	Level            float64
	Repeat           int // 1 for the first run of a step
	Points           []HistPoint
}

// HistPoint is one line of PercentilesPrint output.
type HistPoint struct {
	ValueUs    float64 // latency, microseconds
	Percentile float64 // 0..1
	Count      int64   // requests at or below ValueUs
}

// ParseHgrm reads hdrhistogram-go PercentilesPrint output (value scale: microseconds):
// a header line, then "value percentile total-count 1/(1-percentile)" lines, then "#["
// footer lines.
func ParseHgrm(r io.Reader) ([]HistPoint, error) {
	var pts []HistPoint
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || strings.HasPrefix(f[0], "#") || f[0] == "Value" {
			continue
		}
		if len(f) != 4 {
			return nil, fmt.Errorf("%w: line %d: %d fields, want 4", ErrHgrm, line, len(f))
		}
		v, err1 := strconv.ParseFloat(f[0], 64)
		p, err2 := strconv.ParseFloat(f[1], 64)
		n, err3 := strconv.ParseInt(f[2], 10, 64)
		if err := errors.Join(err1, err2, err3); err != nil || p < 0 || p > 1 {
			return nil, fmt.Errorf("%w: line %d: %q", ErrHgrm, line, sc.Text())
		}
		pts = append(pts, HistPoint{ValueUs: v, Percentile: p, Count: n})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("plots: read hgrm: %w", err)
	}
	if len(pts) == 0 {
		return nil, fmt.Errorf("%w: no percentile lines", ErrHgrm)
	}
	return pts, nil
}

// ParseHgrmName splits "<server>_<scenario>_<level>.hgrm", or
// "<server>_<scenario>_<level>_r<N>.hgrm" for repeat N > 1, into a Hist without points.
// The server label may itself contain underscores: the scenario and level are the last
// fields.
func ParseHgrmName(name string) (Hist, error) {
	bad := fmt.Errorf("%w: name %q", ErrHgrm, name)
	f := strings.Split(strings.TrimSuffix(filepath.Base(name), ".hgrm"), "_")
	h := Hist{Repeat: 1}
	if n := len(f); n >= 4 && strings.HasPrefix(f[n-1], "r") {
		rep, err := strconv.Atoi(f[n-1][1:])
		if err != nil || rep < 1 {
			return Hist{}, bad
		}
		h.Repeat, f = rep, f[:n-1]
	}
	n := len(f)
	if n < 3 || f[n-2] == "" {
		return Hist{}, bad
	}
	level, err := strconv.ParseFloat(f[n-1], 64)
	h.Server, h.Scenario, h.Level = strings.Join(f[:n-2], "_"), f[n-2], level
	if err != nil || h.Server == "" {
		return Hist{}, bad
	}
	return h, nil
}

func readHgrmFile(path string) (Hist, error) {
	h, err := ParseHgrmName(path)
	if err != nil {
		return Hist{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return Hist{}, fmt.Errorf("plots: %w", err)
	}
	defer f.Close()
	if h.Points, err = ParseHgrm(f); err != nil {
		return Hist{}, fmt.Errorf("%s: %w", path, err)
	}
	return h, nil
}
