package plots

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ReportFile is the name of the report Render writes beside the charts.
const ReportFile = "report.md"

// Outcome is what Render did with one chart: Path is the file written, or "" when the
// chart was skipped, with Skipped saying why.
type Outcome struct {
	Chart
	Path    string
	Skipped string
}

// Render draws every chart of d into outDir (created if needed), then writes
// outDir/report.md. A chart without data is skipped (no file) and the report says so.
// It returns one outcome per chart, in report order, and the report's path.
func Render(d *Data, outDir string) (outcomes []Outcome, report string, err error) {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, "", fmt.Errorf("plots: %w", err)
	}
	ctx := d.context()
	charts := d.Charts()
	removeStaleCharts(outDir)
	for _, c := range charts {
		o := Outcome{Chart: c}
		var buf bytes.Buffer
		switch err := d.writeChart(ctx, c, &buf); {
		case errors.Is(err, ErrNoData):
			o.Skipped = "no " + c.Needs
		case err != nil:
			return outcomes, "", fmt.Errorf("plots: %s: %w", c.File, err)
		default:
			o.Path = filepath.Join(outDir, c.File)
			if err := os.WriteFile(o.Path, buf.Bytes(), 0o644); err != nil {
				return outcomes, "", fmt.Errorf("plots: %w", err)
			}
		}
		outcomes = append(outcomes, o)
	}
	var buf bytes.Buffer
	if err := WriteReport(&buf, d, outcomes); err != nil {
		return outcomes, "", err
	}
	report = filepath.Join(outDir, ReportFile)
	if err := os.WriteFile(report, buf.Bytes(), 0o644); err != nil {
		return outcomes, "", fmt.Errorf("plots: %w", err)
	}
	return outcomes, report, nil
}

// removeStaleCharts removes the charts an earlier render left in outDir, so that none
// that this render does not draw (another scenario's, or one without data now) stays.
func removeStaleCharts(outDir string) {
	names, _ := filepath.Glob(filepath.Join(outDir, "*.png"))
	for _, n := range names {
		if base := filepath.Base(n); isChartFile(base) {
			os.Remove(n) // every chart drawn now is written afresh below
		}
	}
}
