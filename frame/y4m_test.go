package frame

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func fillFrame(f *Frame, seed int) {
	for p := 0; p < f.NumPlanes(); p++ {
		pl := &f.Planes[p]
		maxv := 1<<f.BitDepth - 1
		for y := 0; y < pl.Height; y++ {
			for x := 0; x < pl.Width; x++ {
				v := (x*31 + y*17 + p*101 + seed*7) % (maxv + 1)
				if f.BitDepth == 8 {
					pl.Pix8[y*pl.Stride+x] = uint8(v)
				} else {
					pl.Pix16[y*pl.Stride+x] = uint16(v)
				}
			}
		}
	}
}

func framesEqual(a, b *Frame) bool {
	if !a.SameFormat(b) {
		return false
	}
	for p := 0; p < a.NumPlanes(); p++ {
		pa, pb := &a.Planes[p], &b.Planes[p]
		if pa.Width != pb.Width || pa.Height != pb.Height {
			return false
		}
		for y := 0; y < pa.Height; y++ {
			for x := 0; x < pa.Width; x++ {
				if pa.At(x, y) != pb.At(x, y) {
					return false
				}
			}
		}
	}
	return true
}

func TestY4MRoundTrip(t *testing.T) {
	cases := []struct {
		w, h, depth int
		c           Chroma
		cs          string
	}{
		{16, 8, 8, Chroma420, "420jpeg"},
		{15, 9, 8, Chroma420, "420jpeg"}, // odd sizes round chroma up
		{16, 8, 10, Chroma420, "420p10"},
		{7, 5, 12, Chroma422, "422p12"},
		{6, 4, 16, Chroma444, "444p16"},
		{6, 4, 8, Chroma444, "444"},
		{5, 3, 8, ChromaMono, "mono"},
		{5, 3, 10, ChromaMono, "mono10"},
	}
	for _, c := range cases {
		var buf bytes.Buffer
		w, err := NewY4MWriter(&buf, Y4MHeader{Width: c.w, Height: c.h, BitDepth: c.depth, Chroma: c.c, RateNum: 25, RateDen: 1, Range: RangeFull, AspectNum: 1, AspectDen: 1})
		if err != nil {
			t.Fatal(err)
		}
		var in []*Frame
		for i := 0; i < 3; i++ {
			f, err := New(c.w, c.h, c.depth, c.c)
			if err != nil {
				t.Fatal(err)
			}
			fillFrame(f, i)
			in = append(in, f)
			if err := w.WriteFrame(f); err != nil {
				t.Fatal(err)
			}
		}
		r, err := NewY4MReader(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		h := r.Header()
		if h.Width != c.w || h.Height != c.h || h.BitDepth != c.depth || h.Chroma != c.c || h.Colorspace != c.cs ||
			h.RateNum != 25 || h.RateDen != 1 || h.Range != RangeFull || h.Interlace != 'p' || h.AspectNum != 1 {
			t.Errorf("%+v: header %+v", c, h)
		}
		for i := 0; ; i++ {
			f, err := r.ReadFrame()
			if errors.Is(err, io.EOF) {
				if i != 3 {
					t.Errorf("%+v: %d frames", c, i)
				}
				break
			}
			if err != nil {
				t.Fatalf("%+v frame %d: %v", c, i, err)
			}
			if !framesEqual(f, in[i]) || f.Index != i || f.PTS != int64(i) || f.TimeBaseNum != 1 || f.TimeBaseDen != 25 || f.Range != RangeFull {
				t.Errorf("%+v frame %d differs (index %d pts %d tb %d/%d)", c, i, f.Index, f.PTS, f.TimeBaseNum, f.TimeBaseDen)
			}
		}
		// write again from what we read: byte-identical stream
		var again bytes.Buffer
		r2, _ := NewY4MReader(bytes.NewReader(buf.Bytes()))
		w2, err := NewY4MWriter(&again, *r2.Header())
		if err != nil {
			t.Fatal(err)
		}
		for {
			f, err := r2.ReadFrame()
			if err != nil {
				break
			}
			if err := w2.WriteFrame(f); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(again.Bytes(), buf.Bytes()) {
			t.Errorf("%+v: rewrite differs", c)
		}
	}
}

func TestY4MReadFrameIntoStride(t *testing.T) {
	var buf bytes.Buffer
	w, _ := NewY4MWriter(&buf, Y4MHeader{Width: 4, Height: 2, Chroma: Chroma420})
	src, _ := New(4, 2, 8, Chroma420)
	fillFrame(src, 3)
	if err := w.WriteFrame(src); err != nil {
		t.Fatal(err)
	}
	r, err := NewY4MReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	dst, _ := New(4, 2, 8, Chroma420)
	// give the luma plane a wider stride
	dst.Planes[0] = Plane{Width: 4, Height: 2, Stride: 9, Pix8: make([]uint8, 18)}
	if err := r.ReadFrameInto(dst); err != nil {
		t.Fatal(err)
	}
	if !framesEqual(dst, src) {
		t.Error("strided read differs")
	}
	if err := r.ReadFrameInto(dst); !errors.Is(err, io.EOF) {
		t.Errorf("second read: %v, want EOF", err)
	}
	bad, _ := New(8, 2, 8, Chroma420)
	if err := r.ReadFrameInto(bad); err == nil {
		t.Error("ReadFrameInto with wrong format succeeded")
	}
}

func TestY4MHeaderParsing(t *testing.T) {
	h, err := ParseY4MHeader("YUV4MPEG2 W1920 H1080 F30000:1001 It A1:1 C420mpeg2 XYSCSS=420MPEG2 XCOLORRANGE=LIMITED")
	if err != nil {
		t.Fatal(err)
	}
	if h.Width != 1920 || h.Height != 1080 || h.RateNum != 30000 || h.RateDen != 1001 || h.Interlace != 't' ||
		h.Chroma != Chroma420 || h.BitDepth != 8 || h.Range != RangeLimited {
		t.Errorf("header %+v", h)
	}
	h, err = ParseY4MHeader("YUV4MPEG2 W2 H2")
	if err != nil || h.Colorspace != "420jpeg" || h.Chroma != Chroma420 {
		t.Errorf("default colorspace: %+v %v", h, err)
	}
	for _, c := range []struct {
		cs string
		ch Chroma
		d  int
	}{
		{"420paldv", Chroma420, 8}, {"422", Chroma422, 8}, {"444p9", Chroma444, 9}, {"mono16", ChromaMono, 16}, {"420p12", Chroma420, 12},
	} {
		h, err := ParseY4MHeader("YUV4MPEG2 W2 H2 C" + c.cs)
		if err != nil || h.Chroma != c.ch || h.BitDepth != c.d {
			t.Errorf("C%s: %+v %v", c.cs, h, err)
		}
	}
}

func TestY4MBadHeaders(t *testing.T) {
	for _, s := range []struct {
		in   string
		want error
	}{
		{"", ErrNotY4M},
		{"RIFF1234\n", ErrNotY4M},
		{"YUV4MPEG W2 H2\n", ErrNotY4M},
		{"YUV4MPEG2 H2\n", ErrY4MHeader},
		{"YUV4MPEG2 W0 H2\n", ErrY4MHeader},
		{"YUV4MPEG2 W-4 H2\n", ErrY4MHeader},
		{"YUV4MPEG2 Wx H2\n", ErrY4MHeader},
		{"YUV4MPEG2 W99999 H2\n", ErrY4MHeader},
		{"YUV4MPEG2 W2 H2 F30\n", ErrY4MHeader},
		{"YUV4MPEG2 W2 H2 F-1:2\n", ErrY4MHeader},
		{"YUV4MPEG2 W2 H2 A1:x\n", ErrY4MHeader},
		{"YUV4MPEG2 W2 H2 Ipp\n", ErrY4MHeader},
		{"YUV4MPEG2 W2 H2 C411\n", ErrY4MHeader},
		{"YUV4MPEG2 W2 H2 C420p7\n", ErrY4MHeader},
		{"YUV4MPEG2 W2 H2 C420p17\n", ErrY4MHeader},
		{"YUV4MPEG2 W2 H2 Cmono99\n", ErrY4MHeader},
		{"YUV4MPEG2 W2 H2 " + strings.Repeat("X", 5000) + "\n", ErrY4MHeader},
	} {
		_, err := NewY4MReader(strings.NewReader(s.in))
		if !errors.Is(err, s.want) {
			t.Errorf("%.40q: err %v, want %v", s.in, err, s.want)
		}
	}
	if _, err := NewY4MReader(strings.NewReader("YUV4MPEG2 W2 H2")); !errors.Is(err, ErrY4MHeader) {
		t.Errorf("header without newline: %v", err)
	}
	// short or binary non-y4m input is ErrNotY4M, not a header error
	for _, in := range []string{"nope", "YUV4", strings.Repeat("\x00", 5000)} {
		if _, err := NewY4MReader(strings.NewReader(in)); !errors.Is(err, ErrNotY4M) {
			t.Errorf("%.20q: %v, want ErrNotY4M", in, err)
		}
	}
}

func TestY4MTruncation(t *testing.T) {
	var buf bytes.Buffer
	w, _ := NewY4MWriter(&buf, Y4MHeader{Width: 4, Height: 4, BitDepth: 10, Chroma: Chroma420})
	f, _ := New(4, 4, 10, Chroma420)
	fillFrame(f, 1)
	w.WriteFrame(f)
	w.WriteFrame(f)
	full := buf.Bytes()
	hdrLen := bytes.IndexByte(full, '\n') + 1
	frameLen := (len(full) - hdrLen) / 2
	for cut := hdrLen + frameLen + 1; cut < len(full); cut++ {
		r, err := NewY4MReader(bytes.NewReader(full[:cut]))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.ReadFrame(); err != nil {
			t.Fatalf("cut %d: first frame: %v", cut, err)
		}
		if _, err := r.ReadFrame(); !errors.Is(err, ErrTruncated) {
			t.Errorf("cut %d: %v, want ErrTruncated", cut, err)
		}
	}
	// a clean end after a frame is EOF
	r, _ := NewY4MReader(bytes.NewReader(full[:hdrLen+frameLen]))
	r.ReadFrame()
	if _, err := r.ReadFrame(); !errors.Is(err, io.EOF) {
		t.Errorf("clean end: %v", err)
	}
	// a bad frame marker
	bad := append([]byte(nil), full...)
	copy(bad[hdrLen:], "FRAMX")
	r, _ = NewY4MReader(bytes.NewReader(bad))
	if _, err := r.ReadFrame(); !errors.Is(err, ErrY4MFrame) {
		t.Errorf("bad marker: %v", err)
	}
	// frame parameters are allowed
	withParams := append([]byte(nil), full[:hdrLen]...)
	withParams = append(withParams, "FRAME Ixyz\n"...)
	withParams = append(withParams, full[hdrLen+6:hdrLen+frameLen]...)
	r, _ = NewY4MReader(bytes.NewReader(withParams))
	if g, err := r.ReadFrame(); err != nil || !framesEqual(g, f) {
		t.Errorf("FRAME with parameters: %v", err)
	}
}

func TestY4MWriterErrors(t *testing.T) {
	if _, err := NewY4MWriter(io.Discard, Y4MHeader{Width: 0, Height: 2}); !errors.Is(err, ErrInvalidSize) {
		t.Errorf("zero width: %v", err)
	}
	if _, err := NewY4MWriter(io.Discard, Y4MHeader{Width: 2, Height: 2, Colorspace: "411"}); !errors.Is(err, ErrY4MHeader) {
		t.Errorf("bad colorspace: %v", err)
	}
	w, _ := NewY4MWriter(io.Discard, Y4MHeader{Width: 2, Height: 2})
	f, _ := New(4, 2, 8, Chroma420)
	if err := w.WriteFrame(f); err == nil {
		t.Error("mismatched frame written")
	}
}

// FuzzY4MReader feeds arbitrary bytes to the reader: it must never panic,
// and any frame it returns must survive a write/read round trip.
func FuzzY4MReader(f *testing.F) {
	var buf bytes.Buffer
	w, _ := NewY4MWriter(&buf, Y4MHeader{Width: 3, Height: 3, Chroma: Chroma420, RateNum: 25, RateDen: 1})
	fr, _ := New(3, 3, 8, Chroma420)
	fillFrame(fr, 0)
	w.WriteFrame(fr)
	f.Add(buf.Bytes())
	buf.Reset()
	w, _ = NewY4MWriter(&buf, Y4MHeader{Width: 2, Height: 2, BitDepth: 10, Chroma: ChromaMono})
	fr, _ = New(2, 2, 10, ChromaMono)
	fillFrame(fr, 1)
	w.WriteFrame(fr)
	w.WriteFrame(fr)
	f.Add(buf.Bytes())
	f.Add([]byte("YUV4MPEG2 W2 H2 C444p16 XCOLORRANGE=FULL\nFRAME\n"))
	f.Add([]byte("YUV4MPEG2 W1 H1 C420jpeg\nFRAME\n\x00\x01\x02FRAME\n"))
	f.Add([]byte("YUV4MPEG2 W2 H2 F0:0 A0:0 I? C422\nFRAME Ixx\n12345678"))
	f.Add([]byte("YUV4MPEG2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewY4MReader(bytes.NewReader(data))
		if err != nil {
			return
		}
		h := r.Header()
		if h.Width*h.Height > 1<<16 {
			return // valid but too big to allocate per fuzz input
		}
		for i := 0; i < 4; i++ {
			g, err := r.ReadFrame()
			if err != nil {
				return
			}
			var out bytes.Buffer
			w, err := NewY4MWriter(&out, *h)
			if err != nil {
				t.Fatalf("header %+v read but not writable: %v", h, err)
			}
			if err := w.WriteFrame(g); err != nil {
				t.Fatal(err)
			}
			r2, err := NewY4MReader(&out)
			if err != nil {
				t.Fatalf("re-read header: %v", err)
			}
			g2, err := r2.ReadFrame()
			if err != nil || !framesEqual(g, g2) {
				t.Fatalf("round trip: %v", err)
			}
		}
	})
}
