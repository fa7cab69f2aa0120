package child

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

func TestTailSuffixIsTheLastLine(t *testing.T) {
	var tl Tail
	if got := tl.Suffix(); got != "" {
		t.Fatalf("empty Suffix = %q", got)
	}
	fmt.Fprint(&tl, "first\nsecond line\n\n")
	if got := tl.Suffix(); got != ": second line" {
		t.Fatalf("Suffix = %q, want %q", got, ": second line")
	}
}

func TestTailKeepsOnlyItsEnd(t *testing.T) {
	var tl Tail
	fmt.Fprint(&tl, strings.Repeat("x", 3*tailSize)+"\nlast\n")
	if len(tl.buf) > tailSize {
		t.Fatalf("kept %d bytes, want at most %d", len(tl.buf), tailSize)
	}
	if got := tl.Suffix(); got != ": last" {
		t.Fatalf("Suffix = %q", got)
	}
}

func TestTailLineIgnoresAnUnfinishedLine(t *testing.T) {
	var tl Tail
	changed := tl.Changed()
	fmt.Fprint(&tl, "idle: 1 up\nidle: 2 up\nidle: 3")
	select {
	case <-changed:
	default:
		t.Fatal("Changed was not closed by a write")
	}
	if got, ok := tl.Line("idle:"); !ok || got != "idle: 2 up" {
		t.Fatalf("Line = %q, %v; want the last complete line", got, ok)
	}
	if _, ok := tl.Line("settings"); ok {
		t.Fatal("Line found a prefix that was never written")
	}
}

func TestSpawnStartsAChildInItsOwnGroup(t *testing.T) {
	cmd := exec.Command("sh", "-c", "ps -o pgid= -p $$")
	cmd.SysProcAttr = Attr()
	var out strings.Builder
	cmd.Stdout = &out
	if err := Spawn(cmd.Start); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(out.String()), fmt.Sprint(cmd.Process.Pid); got != want {
		t.Fatalf("child's process group %q, want its own PID %s", got, want)
	}
}
