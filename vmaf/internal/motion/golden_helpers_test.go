package motion

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/reel-video/reel/frame"
	"github.com/ulikunitz/xz"
)

// sharedDir returns the shared golden-data directory, or "" if absent.
func sharedDir() string {
	if d := os.Getenv("REEL_SHARED"); d != "" {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
		return ""
	}
	d, _ := filepath.Abs("../../../../shared")
	if st, err := os.Stat(d); err == nil && st.IsDir() {
		return d
	}
	return ""
}

func needShared(t testing.TB) string {
	t.Helper()
	d := sharedDir()
	if d == "" {
		t.Skip("golden data not available: set REEL_SHARED or provide ../../../../shared")
	}
	if _, err := os.Stat(filepath.Join(d, "vmaf", "golden", "manifest.json")); err != nil {
		t.Skipf("golden data not available under %s", d)
	}
	return d
}

// readY4MXZ decodes a .y4m.xz file and returns its luma planes.
func readY4MXZ(t testing.TB, path string) []*frame.Plane {
	t.Helper()
	var r io.Reader
	if xzBin, err := exec.LookPath("xz"); err == nil {
		out, err := exec.Command(xzBin, "-dc", path).Output()
		if err != nil {
			t.Fatalf("xz -dc %s: %v", path, err)
		}
		r = bytes.NewReader(out)
	} else {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		xr, err := xz.NewReader(bufio.NewReader(f))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		r = xr
	}
	yr, err := frame.NewY4MReader(bufio.NewReaderSize(r, 1<<20))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var planes []*frame.Plane
	for {
		f, err := yr.ReadFrame()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: frame %d: %v", path, len(planes), err)
		}
		p := f.Planes[0]
		planes = append(planes, &p)
	}
	return planes
}

type goldenPair struct {
	Dir    string `json:"dir"`
	Pair   string `json:"pair"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Frames int    `json:"frames"`
	Ref    string `json:"ref"`
	Dist   string `json:"dist"`
	HP     string `json:"vmaf_hp_json"`
}

func loadManifest(t testing.TB, shared string) []goldenPair {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(shared, "vmaf", "golden", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Pairs []goldenPair `json:"pairs"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m.Pairs
}

// loadHP returns frames[i].metrics from a libvmaf JSON log.
func loadHP(t testing.TB, path string) []map[string]float64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Frames []struct {
			Metrics map[string]float64 `json:"metrics"`
		} `json:"frames"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out := make([]map[string]float64, len(doc.Frames))
	for i, f := range doc.Frames {
		out[i] = f.Metrics
	}
	return out
}
