package metrics

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestManifestRoundTrip: what WriteManifest writes, ReadManifest reads back the same; a
// missing file is os.ErrNotExist and a start without a server is refused.
func TestManifestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadManifest(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("no run.json: %v, want os.ErrNotExist", err)
	}
	m := RunManifest{Starts: []ServerStart{
		{Server: "apache-event", Scenario: "idle", Level: 10000, Settings: json.RawMessage(`{"threads":64,"async_request_worker_factor":185}`)},
		{Server: "evented", Scenario: "hello", Level: 10},
	}}
	if err := WriteManifest(dir, m); err != nil {
		t.Fatal(err)
	}
	got, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got.Starts { // indented on disk: compare the settings compacted
		var b bytes.Buffer
		if len(got.Starts[i].Settings) > 0 {
			if err := json.Compact(&b, got.Starts[i].Settings); err != nil {
				t.Fatal(err)
			}
			got.Starts[i].Settings = b.Bytes()
		}
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("read back %+v, want %+v", got, m)
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), []byte(`{"starts":[{"scenario":"x"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadManifest(dir); err == nil {
		t.Fatal("a start without a server was read")
	}
}
