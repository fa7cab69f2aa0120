package http1

import "testing"

// TestValidAuthority: RFC 3986's authority (less userinfo), host not empty.
func TestValidAuthority(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"h", true}, {"h.example:8080", true}, {"h:", true}, {"192.0.2.1:80", true}, {"a-b_c~d!$&'()*+,;=", true},
		{"%41b", true}, {"[::1]", true}, {"[::1]:80", true}, {"[::]", true}, {"[1:2:3:4:5:6:7:8]", true},
		{"[1:2:3:4:5:6:7::]", true}, {"[::ffff:192.0.2.1]", true}, {"[1:2:3:4:5:6:1.2.3.4]", true}, {"[v7.x:y]", true},
		{"", false}, {":80", false}, {"[::1", false}, {"[::1]x", false}, {"[::1]:8x", false}, {"h]", false},
		{"[1:2:3]", false}, {"[1::2::3]", false}, {"[1:2:3:4:5:6:7:8:9]", false}, {"[1:2:3:4:5:6:7:8::]", false},
		{"[12345::]", false}, {"[::1:]", false}, {"[:1::]", false}, {"[g::]", false}, {"[::1.2.3]", false},
		{"[::256.1.1.1]", false}, {"[::01.1.1.1]", false}, {"[v.x]", false}, {"[vx.y]", false}, {"[v1.]", false},
		{"h:80:81", false}, {"u@h", false}, {"h%4", false}, {"h%zz", false}, {"h/p", false}, {"h p", false},
	} {
		if got := validAuthority([]byte(c.in)); got != c.ok {
			t.Errorf("validAuthority(%q) = %v, want %v", c.in, got, c.ok)
		}
	}
}

// TestValidAuthorityAllocs: it runs on every request's Host, so it allocates nothing.
func TestValidAuthorityAllocs(t *testing.T) {
	b := []byte("[2001:db8::1]:8080")
	if n := testing.AllocsPerRun(100, func() { validAuthority(b) }); n != 0 {
		t.Errorf("%v allocations per call, want 0", n)
	}
}
