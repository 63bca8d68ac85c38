package vif

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/vmaf/vif_expected_160x90.json from this implementation")

const repoTestdata = "../../../testdata/vmaf"

type expectedFile struct {
	Note   string               `json:"note"`
	Frames []map[string]float64 `json:"frames"`
}

// TestRepoTestdata needs nothing outside the repository: the first 10
// frames of Netflix's 160x90 test pair (vmaf_resource, BSD+Patent) and
// the per-frame scores of this implementation, which is bit-exact with
// libvmaf 3.2 on every golden pair and reproduces libvmaf HEAD's pooled
// means for the full 48-frame clip (TestNetflix). The comparison is exact.
func TestRepoTestdata(t *testing.T) {
	ref := readYUV420(t, filepath.Join(repoTestdata, "vif_ref_160x90_10f.yuv"), 160, 90, 8)
	dis := readYUV420(t, filepath.Join(repoTestdata, "vif_dis_160x90_10f.yuv"), 160, 90, 8)
	path := filepath.Join(repoTestdata, "vif_expected_160x90.json")
	keys := [4]string{"integer_vif_scale0", "integer_vif_scale1", "integer_vif_scale2", "integer_vif_scale3"}
	egl1 := [4]string{"integer_vif_scale0_egl_1", "integer_vif_scale1_egl_1", "integer_vif_scale2_egl_1", "integer_vif_scale3_egl_1"}
	var got []map[string]float64
	for i := range ref {
		s, err := Compute(ref[i], dis[i], 8, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		n, err := Compute(ref[i], dis[i], 8, Options{EnhnGainLimit: 1})
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
	if *update {
		b, _ := json.MarshalIndent(expectedFile{
			Note:   "integer VIF of vif_dis_160x90_10f.yuv vs vif_ref_160x90_10f.yuv (first 10 frames of Netflix vmaf_resource test_0_1_src01_hrc00/01 160x90 pair); produced by reel's vmaf/internal/vif, which is bit-exact with libvmaf v3.2.0-13-gf85a8536 on all golden pairs; *_egl_1 = vif_enhn_gain_limit 1.0",
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
		for k, w := range want.Frames[i] {
			if got[i][k] != w {
				t.Errorf("frame %d %s: got %.17g want %.17g", i, k, got[i][k], w)
			}
		}
	}
}
