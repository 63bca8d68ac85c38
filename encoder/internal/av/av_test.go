package av

import (
	"testing"

	"github.com/asticode/go-astiav"
)

// TestCPointerLayout guards cPointer's assumption about go-astiav's
// wrapper structs: reading the codec parameters through the extracted C
// pointer must agree with go-astiav's own accessor.
func TestCPointerLayout(t *testing.T) {
	cp := astiav.AllocCodecParameters()
	defer cp.Free()
	cp.SetWidth(1234)
	if got := codecparWidth(cp); got != 1234 {
		t.Fatalf("width through C pointer = %d, want 1234", got)
	}
}

func TestParseFormat(t *testing.T) {
	for _, tc := range []struct {
		name string
		want string
		ok   bool
	}{
		{"yuv420p", "yuv420p", true},
		{"yuvj420p", "yuv420p", true},
		{"yuv422p10le", "yuv422p10le", true},
		{"yuv444p", "yuv444p", true},
		{"nv12", "", false},
		{"yuv420p12le", "", false},
		{"rgb24", "", false},
	} {
		f, err := ParseFormat(tc.name)
		if (err == nil) != tc.ok {
			t.Errorf("ParseFormat(%q) error = %v, want ok=%v", tc.name, err, tc.ok)
			continue
		}
		if tc.ok && f.String() != tc.want {
			t.Errorf("ParseFormat(%q) = %s, want %s", tc.name, f, tc.want)
		}
	}
}

func TestScaleFlags(t *testing.T) {
	if _, err := ScaleFlags("bicubic"); err != nil {
		t.Fatal(err)
	}
	if _, err := ScaleFlags(""); err != nil {
		t.Fatal(err)
	}
	if _, err := ScaleFlags("magic"); err == nil {
		t.Fatal("unknown algorithm accepted")
	}
}
