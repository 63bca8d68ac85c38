package vif

import (
	"testing"

	"github.com/reel-video/reel/vmaf/internal/vmaftest"
)

type expectedFile struct {
	Note   string               `json:"note"`
	Frames []map[string]float64 `json:"frames"`
}

// TestRepoTestdata needs nothing outside the repository: the first 10
// frames of Netflix's 160x90 test pair (testdata/vmaf/netflix_160x90_*;
// vmaf_resource, BSD+Patent) and the per-frame scores of this
// implementation recorded in expected_vif_160x90.json (rewrite with -args
// -update), which is bit-exact with libvmaf 3.2 on every golden pair and
// reproduces libvmaf HEAD's pooled means for the full 48-frame clip
// (TestNetflix). The comparison is exact.
func TestRepoTestdata(t *testing.T) {
	ref, dis := vmaftest.ReadTestdataPair(t, 10)
	keys := [4]string{"integer_vif_scale0", "integer_vif_scale1", "integer_vif_scale2", "integer_vif_scale3"}
	egl1 := [4]string{"integer_vif_scale0_egl_1", "integer_vif_scale1_egl_1", "integer_vif_scale2_egl_1", "integer_vif_scale3_egl_1"}
	var got []map[string]float64
	for i := range ref {
		s, err := Compute(&ref[i].Planes[0], &dis[i].Planes[0], 8, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		n, err := Compute(&ref[i].Planes[0], &dis[i].Planes[0], 8, Options{EnhnGainLimit: 1})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]float64{}
		for k := range keys {
			m[keys[k]] = s.Scale[k]
			m[egl1[k]] = n.Scale[k]
		}
		got = append(got, m)
	}
	rec := expectedFile{
		Note:   "integer VIF of the first 10 frames of netflix_160x90_dis.yuv.xz vs netflix_160x90_ref.yuv.xz (Netflix vmaf_resource test_0_1_src01_hrc00/01 160x90 pair); produced by reel's vmaf/internal/vif, which is bit-exact with libvmaf v3.2.0-13-gf85a8536 on all golden pairs; *_egl_1 = vif_enhn_gain_limit 1.0",
		Frames: got,
	}
	var want expectedFile
	if !vmaftest.Recorded(t, "expected_vif_160x90.json", rec, &want) {
		return
	}
	if len(want.Frames) != len(got) {
		t.Fatalf("expected %d frames, computed %d", len(want.Frames), len(got))
	}
	for i := range got {
		if len(want.Frames[i]) != len(got[i]) {
			t.Errorf("frame %d: %d recorded values, computed %d", i, len(want.Frames[i]), len(got[i]))
		}
		for k, w := range want.Frames[i] {
			if got[i][k] != w {
				t.Errorf("frame %d %s: got %.17g want %.17g", i, k, got[i][k], w)
			}
		}
	}
}
