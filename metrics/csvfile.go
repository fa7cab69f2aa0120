package metrics

import (
	"encoding/csv"
	"fmt"
	"os"
	"reflect"
)

// CSVFile appends schema rows to a CSV file and flushes each row to the kernel as it is
// written, so a run that is interrupted keeps every finished row. It writes the header
// when the file is new or empty.
type CSVFile[T any] struct {
	f *os.File
	w *csv.Writer
}

// CreateSummary opens (appending) a summary.csv.
func CreateSummary(path string) (*CSVFile[SummaryRow], error) {
	return openCSV[SummaryRow](path, SummaryHeader)
}

// CreateTimeseries opens (appending) a timeseries.csv.
func CreateTimeseries(path string) (*CSVFile[TimeseriesRow], error) {
	return openCSV[TimeseriesRow](path, TimeseriesHeader)
}

func openCSV[T any](path string, header []string) (*CSVFile[T], error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	c := &CSVFile[T]{f: f, w: csv.NewWriter(f)}
	if st, err := f.Stat(); err == nil && st.Size() == 0 {
		if err := c.writeRecord(header); err != nil {
			f.Close()
			return nil, err
		}
	}
	return c, nil
}

// Write appends one row and flushes it.
func (c *CSVFile[T]) Write(row T) error {
	return c.writeRecord(record(reflect.ValueOf(row)))
}

func (c *CSVFile[T]) writeRecord(rec []string) error {
	if err := c.w.Write(rec); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	return nil
}

// Close closes the file.
func (c *CSVFile[T]) Close() error { return c.f.Close() }
