package motion

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/vmaf/motion_expected_160x90.json from this implementation")

const repoTestdata = "../../../testdata/vmaf"

type expectedFile struct {
	Note   string  `json:"note"`
	Frames []Score `json:"frames"`
}

// TestRepoTestdata needs nothing outside the repository: the first 10
// reference frames of Netflix's 160x90 test pair (stored by the vif
// package's tests as vif_ref_160x90_10f.yuv) and the per-frame scores of
// this implementation, which is bit-exact with libvmaf 3.2 on every golden
// pair. The comparison is exact.
func TestRepoTestdata(t *testing.T) {
	ref := readYUV420(t, filepath.Join(repoTestdata, "vif_ref_160x90_10f.yuv"), 160, 90, 8)
	got := runAll(t, ref, 8)
	path := filepath.Join(repoTestdata, "motion_expected_160x90.json")
	if *update {
		b, _ := json.MarshalIndent(expectedFile{
			Note:   "integer motion (Motion = VMAF_integer_feature_motion_sad_score, Motion2 = integer_motion2, Motion3 = integer_motion3) of vif_ref_160x90_10f.yuv as a 10-frame clip; produced by reel's vmaf/internal/motion, which is bit-exact with libvmaf v3.2.0-13-gf85a8536 on all golden pairs",
			Frames: got,
		}, "", " ")
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want expectedFile
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if len(want.Frames) != len(got) {
		t.Fatalf("expected %d frames, computed %d", len(want.Frames), len(got))
	}
	for i := range got {
		if got[i] != want.Frames[i] {
			t.Errorf("frame %d: got %+v want %+v", i, got[i], want.Frames[i])
		}
	}
}
