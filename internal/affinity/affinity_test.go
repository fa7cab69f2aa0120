package affinity

import (
	"errors"
	"reflect"
	"runtime"
	"testing"
)

func TestParseFormat(t *testing.T) {
	cases := map[string][]int{"0": {0}, "1-3": {1, 2, 3}, "0,2-3": {0, 2, 3}, "3,1,1": {1, 3}, "": nil}
	for in, want := range cases {
		got, err := Parse(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Parse(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if got := Format([]int{0, 1, 2, 5, 7, 8}); got != "0-2,5,7-8" {
		t.Errorf("Format = %q", got)
	}
	for _, bad := range []string{"a", "3-1", "-1", "1,,2", "1-"} {
		if _, err := Parse(bad); !errors.Is(err, ErrBadList) {
			t.Errorf("Parse(%q) err = %v, want ErrBadList", bad, err)
		}
	}
}

func TestPinSelf(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("linux only")
	}
	before, err := Allowed()
	if err != nil {
		t.Fatal(err)
	}
	defer Pin(0, before)
	if err := Pin(0, before[:1]); err != nil {
		t.Fatal(err)
	}
	runtime.LockOSThread() // Allowed reads the calling thread's mask
	defer runtime.UnlockOSThread()
	got, err := Allowed()
	if err != nil || !reflect.DeepEqual(got, before[:1]) {
		t.Fatalf("after Pin: allowed %v, %v; want %v", got, err, before[:1])
	}
}
