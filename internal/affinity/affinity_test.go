package affinity

import (
	"reflect"
	"runtime"
	"testing"
)

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
