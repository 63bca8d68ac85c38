package motion

import (
	"testing"

	"github.com/reel-video/reel/vmaf/internal/vmaftest"
)

type expectedFile struct {
	Note   string  `json:"note"`
	Frames []Score `json:"frames"`
}

// TestRepoTestdata needs nothing outside the repository: the first 10
// reference frames of Netflix's 160x90 test pair (testdata/vmaf/
// netflix_160x90_ref.yuv.xz) and the per-frame scores of this
// implementation recorded in expected_motion_160x90.json (rewrite with
// -args -update), which is bit-exact with libvmaf 3.2 on every golden
// pair. The comparison is exact.
func TestRepoTestdata(t *testing.T) {
	ref, _ := vmaftest.ReadTestdataPair(t, 10)
	got := runAll(t, vmaftest.Luma(ref), 8)
	rec := expectedFile{
		Note:   "integer motion (Motion = VMAF_integer_feature_motion_sad_score, Motion2 = integer_motion2, Motion3 = integer_motion3) of the first 10 frames of netflix_160x90_ref.yuv.xz as a 10-frame clip; produced by reel's vmaf/internal/motion, which is bit-exact with libvmaf v3.2.0-13-gf85a8536 on all golden pairs",
		Frames: got,
	}
	var want expectedFile
	if !vmaftest.Recorded(t, "expected_motion_160x90.json", rec, &want) {
		return
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
