package cpulist

import (
	"errors"
	"reflect"
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
