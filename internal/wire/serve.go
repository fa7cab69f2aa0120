package wire

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Settings is what a server reports of itself on its "settings {JSON}" line (bench
// serve's second line, a peer script's after its PID; scripts/peers/README.md): the
// fields the orchestrator reads, and the whole object for run.json.
type Settings struct {
	GoMaxProcs int    `json:"gomaxprocs"`
	Design     string `json:"design"`
	// Log is the server's own log, and LogDrops the text of its lines that say the server
	// closed connections it was holding (Apache's event MPM: "will shutdown N keep-alive
	// connections"): each such line in a window goes into the row's note.
	Log      string          `json:"log"`
	LogDrops string          `json:"log_drops"`
	Raw      json.RawMessage `json:"-"` // the whole object, as printed
}

const (
	listeningPrefix = "listening on "
	settingsPrefix  = "settings "
)

// Listening is `bench serve`'s first two lines: the address it listens on (the caller
// may have asked for port 0), then settings, any value that marshals to a JSON object.
func Listening(addr string, settings any) (string, error) {
	js, err := json.Marshal(settings)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s%s\n%s%s\n", listeningPrefix, addr, settingsPrefix, js), nil
}

// ParseListening reads those two lines.
func ParseListening(first, second string) (addr string, s Settings, err error) {
	addr, ok := strings.CutPrefix(strings.TrimSpace(first), listeningPrefix)
	if !ok {
		return "", s, fmt.Errorf("first line %q, want \"listening on HOST:PORT\"", first)
	}
	if s, err = ParseSettings(second); err != nil {
		return "", s, fmt.Errorf("second line: %w", err)
	}
	return addr, s, nil
}

// ParseSettings reads a "settings {JSON}" line.
func ParseSettings(line string) (Settings, error) {
	var s Settings
	js, ok := strings.CutPrefix(strings.TrimSpace(line), settingsPrefix)
	if !ok {
		return s, fmt.Errorf("line %q, want \"settings {JSON}\"", line)
	}
	if err := json.Unmarshal([]byte(js), &s); err != nil {
		return s, fmt.Errorf("line %q, want \"settings {JSON}\": %w", line, err)
	}
	s.Raw = json.RawMessage(js)
	return s, nil
}
