package vmaftest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/reel-video/reel/frame"
	"github.com/ulikunitz/xz"
)

// readFile returns the contents of path, decompressed when the name ends in
// .xz: with the xz tool when it is on PATH (much faster), else with the
// pure-Go decoder.
func readFile(t testing.TB, path string) []byte {
	t.Helper()
	if filepath.Ext(path) != ".xz" {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if xzBin, err := exec.LookPath("xz"); err == nil {
		out, err := exec.Command(xzBin, "-dc", path).Output()
		if err != nil {
			t.Fatalf("xz -dc %s: %v", path, err)
		}
		return out
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := xz.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

// ReadYUV420 returns every frame of the headerless planar 4:2:0 file path
// (yuv420p, or little-endian 16-bit samples (yuv420p10le etc.) when
// bpc > 8), xz-compressed when the name ends in .xz. The frames are tightly
// packed (Stride == Width) and numbered from 0. It fails the test when the
// file holds no frame or ends inside a frame.
func ReadYUV420(t testing.TB, path string, w, h, bpc int) []*frame.Frame {
	t.Helper()
	pixfmt := "yuv420p"
	if bpc > 8 {
		pixfmt = fmt.Sprintf("yuv420p%dle", bpc)
	}
	rr, err := frame.NewRawReader(bytes.NewReader(readFile(t, path)), w, h, pixfmt)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return readAll(t, path, rr)
}

// ReadY4MXZ returns every frame of the xz-compressed y4m file path.
func ReadY4MXZ(t testing.TB, path string) []*frame.Frame {
	t.Helper()
	yr, err := frame.NewY4MReader(bytes.NewReader(readFile(t, path)))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return readAll(t, path, yr)
}

// readAll returns every frame of r (read from path), failing the test when
// there is none or on any error but io.EOF after the last.
func readAll(t testing.TB, path string, r interface{ ReadFrame() (*frame.Frame, error) }) []*frame.Frame {
	t.Helper()
	var out []*frame.Frame
	for {
		f, err := r.ReadFrame()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: frame %d: %v", path, len(out), err)
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no frames", path)
	}
	return out
}

// OpenY4MXZ opens the xz-compressed y4m file path for reading frame by
// frame, decompressing only as far as the frames read (with the pure-Go
// decoder). Call the returned function to close it.
func OpenY4MXZ(t testing.TB, path string) (*frame.Y4MReader, func()) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := xz.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		f.Close()
		t.Fatalf("%s: %v", path, err)
	}
	yr, err := frame.NewY4MReader(zr)
	if err != nil {
		f.Close()
		t.Fatalf("%s: %v", path, err)
	}
	return yr, func() { f.Close() }
}

// Luma returns the luma planes of frames (which still own them).
func Luma(frames []*frame.Frame) []*frame.Plane {
	out := make([]*frame.Plane, len(frames))
	for i, f := range frames {
		out[i] = &f.Planes[0]
	}
	return out
}
