package metrics

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
)

// CSVFile appends schema rows to a CSV file and flushes each row to the kernel as it is
// written, so a run that is interrupted keeps every finished row. It writes the header
// when the file is new or empty; a file that already holds rows under another header
// (another version of the schema) is refused with ErrSchema rather than appended to, so
// no column ever lands under another's name.
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
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	c := &CSVFile[T]{f: f, w: csv.NewWriter(f)}
	st, err := f.Stat()
	switch {
	case err != nil:
		err = fmt.Errorf("metrics: %w", err)
	case st.Size() == 0:
		err = c.writeRecord(header)
	default:
		err = checkHeader(f, path, header)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return c, nil
}

// checkHeader reads the first line of the existing file f (its offset at 0) and returns
// ErrSchema unless it is exactly header, as this package writes it.
func checkHeader(f *os.File, path string, header []string) error {
	want := strings.Join(header, ",") + "\n"
	buf := make([]byte, len(want))
	n, err := io.ReadFull(f, buf)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return fmt.Errorf("metrics: %s: %w", path, err)
	}
	if string(buf[:n]) != want {
		return fmt.Errorf("%w: %s was written by another version of the schema; use a new folder", ErrSchema, path)
	}
	return nil
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
