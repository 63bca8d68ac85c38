package adm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/reel-video/reel/frame"
)

func sharedDir(t testing.TB) string {
	d := os.Getenv("REEL_SHARED")
	if d == "" {
		d = filepath.Join("..", "..", "..", "..", "shared")
	}
	if _, err := os.Stat(filepath.Join(d, "vmaf")); err != nil {
		t.Skipf("shared golden data not found at %s (set REEL_SHARED): %v", d, err)
	}
	return filepath.Join(d, "vmaf")
}

// readY4MXZ decompresses an .y4m.xz with the xz tool and returns its luma
// planes.
func readY4MXZ(t testing.TB, path string) []*frame.Frame {
	t.Helper()
	cmd := exec.Command("xz", "-dc", path)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("xz -dc %s: %v", path, err)
	}
	r, err := frame.NewY4MReader(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	var fs []*frame.Frame
	for {
		f, err := r.ReadFrame()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	return fs
}

type hpFile struct {
	Frames []struct {
		FrameNum int                `json:"frameNum"`
		Metrics  map[string]float64 `json:"metrics"`
	} `json:"frames"`
}

func loadJSON(t testing.TB, path string) hpFile {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var h hpFile
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	return h
}

var featNames = []string{"integer_adm2", "integer_adm_scale0", "integer_adm_scale1", "integer_adm_scale2", "integer_adm_scale3", "integer_aim", "integer_adm3"}

func featVals(s Scores) []float64 {
	return []float64{s.ADM2, s.Scale[0], s.Scale[1], s.Scale[2], s.Scale[3], s.AIM, s.ADM3}
}

type maxErr [7]float64

func (m *maxErr) add(got []float64, want map[string]float64, suffix string, t testing.TB, ctx string) {
	for i, n := range featNames {
		wv, ok := want[n+suffix]
		if !ok {
			t.Fatalf("%s: key %s missing", ctx, n+suffix)
		}
		d := math.Abs(got[i] - wv)
		if d > m[i] {
			m[i] = d
		}
	}
}

func (m *maxErr) String() string {
	s := ""
	for i, n := range featNames {
		s += fmt.Sprintf(" %s=%.3g", n[8:], m[i])
	}
	return s
}

func (m *maxErr) check(t testing.TB, ctx string) {
	for i, n := range featNames {
		tol := 1e-4
		if m[i] > tol {
			t.Errorf("%s: %s max abs error %g > %g", ctx, n, m[i], tol)
		}
	}
}
