package av

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"reflect"
	"testing"

	"github.com/asticode/go-astiav"
)

func TestCustomIOSeekRead(t *testing.T) {
	data := []byte("0123456789")
	c, err := newCustomIO(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.free()
	for _, s := range []struct {
		off    int64
		whence int
		want   int64
		err    error
	}{
		{0, avseekSize, 10, nil},
		{3, avseekSize | avseekForce, 10, nil},
		{4, io.SeekStart, 4, nil},
		{2, io.SeekCurrent, 6, nil},
		{-3, io.SeekEnd, 7, nil},
		{1, io.SeekStart | avseekForce, 1, nil},
		{-5, io.SeekCurrent, 0, errEINVAL},
		{0, 7, 0, errEINVAL},
	} {
		got, err := c.seek(s.off, s.whence)
		if got != s.want || !errors.Is(err, s.err) && err != s.err {
			t.Errorf("seek(%d, %#x) = %d, %v; want %d, %v", s.off, s.whence, got, err, s.want, s.err)
		}
	}
	b := make([]byte, 4)
	if n, err := c.read(b); n != 4 || err != nil || string(b) != "1234" {
		t.Errorf("read = %d %v %q", n, err, b[:n])
	}
	c.seek(8, io.SeekStart)
	if n, err := c.read(b); n != 2 || err != nil || string(b[:n]) != "89" {
		t.Errorf("read at 8 = %d %v %q", n, err, b[:n])
	}
	if _, err := c.read(b); !errors.Is(err, astiav.ErrEof) {
		t.Errorf("read at end: %v, want AVERROR_EOF", err)
	}
	c.seek(20, io.SeekStart)
	if _, err := c.read(b); !errors.Is(err, astiav.ErrEof) {
		t.Errorf("read past end: %v, want AVERROR_EOF", err)
	}
}

type failingReader struct{}

func (failingReader) ReadAt(p []byte, off int64) (int, error) { return 0, errors.New("boom") }

// TestProbeCustomIO probes the real clip from memory through the custom
// AVIOContext: the same description as libav's file protocol gives; a
// reader that fails is reported, and everything is freed.
func TestProbeCustomIO(t *testing.T) {
	const clip = "../../../testdata/media/bigbuckbunny.mp4"
	data, err := os.ReadFile(clip)
	if err != nil {
		t.Skip(err)
	}
	want, err := Probe(context.Background(), Input{Path: clip}, true, true)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Probe(context.Background(), Input{Path: "mem.mp4", Reader: bytes.NewReader(data), Size: int64(len(data))}, true, true)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("through custom IO:\n%+v\nwant\n%+v", got, want)
	}
	if _, err := Probe(context.Background(), Input{Path: "x.mp4", Reader: failingReader{}, Size: 1000}, true, false); err == nil {
		t.Error("probe through a failing reader succeeded")
	}
	d, err := OpenDecoder(Input{Path: "mem.mp4", Reader: bytes.NewReader(data), Size: int64(len(data))}, DecoderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := d.SeekFrame(60); err != nil || !ok {
		t.Errorf("SeekFrame through custom IO: %v %v", ok, err)
	}
	d.Close()
	d.Close()
}
