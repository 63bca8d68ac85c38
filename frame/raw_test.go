package frame

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestParsePixelFormat(t *testing.T) {
	tests := []struct {
		in    string
		c     Chroma
		depth int
		ok    bool
	}{
		{"yuv420p", Chroma420, 8, true},
		{"yuv420p10le", Chroma420, 10, true},
		{"yuv422p12le", Chroma422, 12, true},
		{"yuv444p16le", Chroma444, 16, true},
		{"yuvj420p", Chroma420, 8, true},
		{"gray", ChromaMono, 8, true},
		{"gray10le", ChromaMono, 10, true},
		{"nv12", 0, 0, false},
		{"yuv420p10be", 0, 0, false},
		{"yuv420p7le", 0, 0, false},
		{"rgb24", 0, 0, false},
		{"yuv420p10xle", 0, 0, false},
		{"yuv420p+10le", 0, 0, false},
		{"yuv444p012le", 0, 0, false},
	}
	for _, tt := range tests {
		c, d, err := ParsePixelFormat(tt.in)
		if (err == nil) != tt.ok || (tt.ok && (c != tt.c || d != tt.depth)) {
			t.Errorf("ParsePixelFormat(%q) = %v, %d, %v", tt.in, c, d, err)
		}
		if !tt.ok && !errors.Is(err, ErrPixelFormat) {
			t.Errorf("%q: err %v, want ErrPixelFormat", tt.in, err)
		}
	}
}

func TestRawReaderRoundTrip(t *testing.T) {
	for _, pf := range []string{"yuv420p", "yuv420p10le", "yuv444p"} {
		c, bits, _ := ParsePixelFormat(pf)
		var frames []*Frame
		var raw bytes.Buffer
		for i := 0; i < 3; i++ {
			f, _ := New(6, 4, bits, c)
			for p := 0; p < f.NumPlanes(); p++ {
				pl := &f.Planes[p]
				for j := 0; j < pl.Width*pl.Height; j++ {
					v := (i*7 + p*13 + j*3) % (1 << bits)
					if bits == 8 {
						pl.Pix8[j] = uint8(v)
						raw.WriteByte(uint8(v))
					} else {
						pl.Pix16[j] = uint16(v)
						raw.Write([]byte{byte(v), byte(v >> 8)})
					}
				}
			}
			frames = append(frames, f)
		}
		raw.WriteByte(1) // a partial fourth frame
		rr, err := NewRawReader(&raw, 6, 4, pf)
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range frames {
			got, err := rr.ReadFrame()
			if err != nil {
				t.Fatalf("%s frame %d: %v", pf, i, err)
			}
			for p := 0; p < want.NumPlanes(); p++ {
				for y := 0; y < want.Planes[p].Height; y++ {
					for x := 0; x < want.Planes[p].Width; x++ {
						if got.Planes[p].At(x, y) != want.Planes[p].At(x, y) {
							t.Fatalf("%s frame %d plane %d (%d,%d) differs", pf, i, p, x, y)
						}
					}
				}
			}
		}
		if _, err := rr.ReadFrame(); !errors.Is(err, ErrTruncated) {
			t.Fatalf("%s: partial frame: %v, want ErrTruncated", pf, err)
		}
	}
	rr, _ := NewRawReader(bytes.NewReader(nil), 6, 4, "yuv420p")
	if _, err := rr.ReadFrame(); err != io.EOF {
		t.Fatalf("empty input: %v, want io.EOF", err)
	}
}
