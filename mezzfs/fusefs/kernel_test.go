package fusefs

import "testing"

func TestKernelAtLeast(t *testing.T) {
	for _, tc := range []struct {
		release string
		want    bool
	}{
		{"6.1.0-18-amd64", false}, // Debian 12
		{"6.6.0", true},
		{"6.18.44-fc-v669", true},
		{"7.0", true},
		{"5.19.2", false},
		{"6", false},
		{"", false},
		{"x.y", false},
	} {
		if got := kernelAtLeast(tc.release, 6, 6); got != tc.want {
			t.Errorf("kernelAtLeast(%q, 6, 6) = %v, want %v", tc.release, got, tc.want)
		}
	}
}
