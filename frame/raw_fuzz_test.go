package frame

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
)

// FuzzRawOptions fuzzes the options of a raw .yuv input (`reel vmaf
// --width --height --pixfmt`) and its bytes: ParsePixelFormat accepts only
// names in libav's spelling (the base name, or the base name, the depth
// and "le"), NewRawReader refuses bad sizes, and the reader hands out
// every whole frame byte for byte, then io.EOF, or ErrTruncated when the
// input ends inside a frame. Seeds are TestParsePixelFormat's table.
func FuzzRawOptions(f *testing.F) {
	for _, pf := range []string{"yuv420p", "yuv420p10le", "yuv422p12le", "yuv444p16le", "yuvj420p", "gray", "gray10le",
		"nv12", "yuv420p10be", "yuv420p7le", "rgb24", "YUV420P", "yuv420p10xle", "grayle"} {
		f.Add(pf, int16(6), int16(4), []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37})
	}
	f.Add("yuv420p", int16(1), int16(1), []byte{9})
	f.Add("gray", int16(0), int16(3), []byte{})
	f.Fuzz(func(t *testing.T, pixfmt string, w, h int16, data []byte) {
		c, depth, err := ParsePixelFormat(pixfmt)
		if err != nil {
			if !errors.Is(err, ErrPixelFormat) {
				t.Fatalf("%q: %v, want ErrPixelFormat", pixfmt, err)
			}
			return
		}
		base := map[Chroma][]string{Chroma420: {"yuv420p", "yuvj420p"}, Chroma422: {"yuv422p", "yuvj422p"},
			Chroma444: {"yuv444p", "yuvj444p"}, ChromaMono: {"gray"}}[c]
		canonical := false
		for _, b := range base {
			n := strings.ToLower(pixfmt)
			canonical = canonical || (depth == 8 && n == b) || n == b+strconv.Itoa(depth)+"le"
		}
		if !canonical || depth < 8 || depth > 16 {
			t.Fatalf("ParsePixelFormat(%q) = %v, %d: not a planar format's name", pixfmt, c, depth)
		}
		rr, err := NewRawReader(bytes.NewReader(data), int(w), int(h), pixfmt)
		if w <= 0 || h <= 0 {
			if !errors.Is(err, ErrInvalidSize) {
				t.Fatalf("%dx%d: %v, want ErrInvalidSize", w, h, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("%dx%d %s: %v", w, h, pixfmt, err)
		}
		if int(w)*int(h) > 1<<16 {
			return // valid, but too big to allocate per fuzz input
		}
		hdr := Y4MHeader{Width: int(w), Height: int(h), Chroma: c, BitDepth: depth}
		fb := hdr.frameBytes()
		var got []byte
		for {
			fr, err := rr.ReadFrame()
			if errors.Is(err, io.EOF) || errors.Is(err, ErrTruncated) {
				if whole := len(data) / fb * fb; !bytes.Equal(got, data[:whole]) {
					t.Fatalf("frames hold %d bytes, want the input's first %d", len(got), whole)
				}
				if errors.Is(err, ErrTruncated) != (len(data)%fb != 0) {
					t.Fatalf("%d bytes of %d-byte frames ended with %v", len(data), fb, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for p := range fr.NumPlanes() {
				pl := &fr.Planes[p]
				if depth == 8 {
					got = append(got, pl.Pix8...)
					continue
				}
				for _, v := range pl.Pix16 {
					got = binary.LittleEndian.AppendUint16(got, v)
				}
			}
		}
	})
}
