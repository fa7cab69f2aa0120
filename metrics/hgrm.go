package metrics

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// The .hgrm format: one latency distribution as hdrhistogram-go's PercentilesPrint text,
// values in microseconds (the unit every histogram in the suite records), preceded by
// "#% key=value" lines that say whose distribution it is. This file is the format's one
// owner: `bench run` and `bench load --hdr` write it, `bench plot` reads it.

// HgrmUnit is the unit of an .hgrm file's values.
const HgrmUnit = "us"

// ErrHgrm is returned for a file that is not an .hgrm percentile file.
var ErrHgrm = errors.New("metrics: not an .hgrm percentile file")

// Hist is one .hgrm file: the latency distribution of one server × scenario × level ×
// repeat.
type Hist struct {
	Server, Scenario string
	Kind             Kind
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

// HistOf is the identity of row's distribution, without points.
func HistOf(row SummaryRow) Hist {
	return Hist{Server: row.Server, Scenario: row.Scenario, Kind: row.Kind, Level: row.Level(), Repeat: max(row.Repeat, 1)}
}

// HgrmName is the file a row's latency distribution is written to, under <run>/hgrm/:
// <server>_<scenario>_<level>.hgrm, with _r<N> before .hgrm for repeats after the first.
// The name is for people; a reader takes the identity from the file's own header.
func HgrmName(row SummaryRow) string {
	h := HistOf(row)
	name := SafeName(h.Server) + "_" + SafeName(h.Scenario) + "_" + strconv.FormatFloat(h.Level, 'f', -1, 64)
	if h.Repeat > 1 {
		name += "_r" + strconv.Itoa(h.Repeat)
	}
	return name + ".hgrm"
}

// WriteHgrm writes h (values in µs) with id's identity as its header.
func WriteHgrm(w io.Writer, id Hist, h *hdrhistogram.Histogram) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "#%% unit=%s\n#%% server=%s\n#%% scenario=%s\n#%% kind=%s\n#%% level=%s\n#%% repeat=%d\n",
		HgrmUnit, oneLine(id.Server), oneLine(id.Scenario), id.Kind, strconv.FormatFloat(id.Level, 'f', -1, 64), max(id.Repeat, 1))
	if _, err := h.PercentilesPrint(bw, 5, 1); err != nil {
		return fmt.Errorf("metrics: hgrm: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("metrics: hgrm: %w", err)
	}
	return nil
}

// WriteHgrmFile writes row's distribution to dir/HgrmName(row); an empty histogram
// writes nothing.
func WriteHgrmFile(dir string, row SummaryRow, h *hdrhistogram.Histogram) error {
	if h == nil || h.TotalCount() == 0 {
		return nil
	}
	f, err := os.Create(filepath.Join(dir, HgrmName(row)))
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	if err := WriteHgrm(f, HistOf(row), h); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func oneLine(s string) string { return strings.NewReplacer("\n", " ", "\r", " ").Replace(s) }

// ReadHgrm reads an .hgrm file: its header (when present) and its percentile lines.
func ReadHgrm(r io.Reader) (Hist, error) {
	h := Hist{Repeat: 1}
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if kv, ok := strings.CutPrefix(text, "#%"); ok {
			if err := h.setHeader(strings.TrimSpace(kv)); err != nil {
				return Hist{}, fmt.Errorf("%w: line %d: %v", ErrHgrm, line, err)
			}
			continue
		}
		f := strings.Fields(text)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") || f[0] == "Value" {
			continue
		}
		pt, err := parsePoint(f)
		if err != nil {
			return Hist{}, fmt.Errorf("%w: line %d: %q", ErrHgrm, line, text)
		}
		h.Points = append(h.Points, pt)
	}
	if err := sc.Err(); err != nil {
		return Hist{}, fmt.Errorf("metrics: read hgrm: %w", err)
	}
	if len(h.Points) == 0 {
		return Hist{}, fmt.Errorf("%w: no percentile lines", ErrHgrm)
	}
	return h, nil
}

func parsePoint(f []string) (HistPoint, error) {
	if len(f) != 4 {
		return HistPoint{}, errors.New("want 4 fields")
	}
	v, err1 := strconv.ParseFloat(f[0], 64)
	p, err2 := strconv.ParseFloat(f[1], 64)
	n, err3 := strconv.ParseInt(f[2], 10, 64)
	if err := errors.Join(err1, err2, err3); err != nil || p < 0 || p > 1 {
		return HistPoint{}, errors.New("not a percentile line")
	}
	return HistPoint{ValueUs: v, Percentile: p, Count: n}, nil
}

func (h *Hist) setHeader(kv string) error {
	k, v, ok := strings.Cut(kv, "=")
	if !ok {
		return fmt.Errorf("header %q is not key=value", kv)
	}
	var err error
	switch k {
	case "unit":
		if v != HgrmUnit {
			err = fmt.Errorf("unit %q, want %s", v, HgrmUnit)
		}
	case "server":
		h.Server = v
	case "scenario":
		h.Scenario = v
	case "kind":
		h.Kind = Kind(v)
	case "level":
		h.Level, err = strconv.ParseFloat(v, 64)
	case "repeat":
		h.Repeat, err = strconv.Atoi(v)
	}
	return err
}

// ReadHgrmFile reads an .hgrm file. A file without a header (written before the header
// existed) takes its identity from its name, <server>_<scenario>_<level>[_r<N>].hgrm.
func ReadHgrmFile(path string) (Hist, error) {
	f, err := os.Open(path)
	if err != nil {
		return Hist{}, fmt.Errorf("metrics: %w", err)
	}
	defer f.Close()
	h, err := ReadHgrm(f)
	if err != nil {
		return Hist{}, fmt.Errorf("%s: %w", path, err)
	}
	if h.Server == "" && h.Scenario == "" {
		id, err := parseHgrmName(path)
		if err != nil {
			return Hist{}, err
		}
		id.Points = h.Points
		h = id
	}
	return h, nil
}

// parseHgrmName splits "<server>_<scenario>_<level>.hgrm", or
// "<server>_<scenario>_<level>_r<N>.hgrm" for repeat N > 1. The server label may itself
// contain underscores: the scenario and level are the last fields.
func parseHgrmName(name string) (Hist, error) {
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
