package vmaf

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/reel-video/reel/vmaf/internal/vmaftest"
)

func TestEmbeddedModels(t *testing.T) {
	got := ModelVersions()
	want := []string{"vmaf_4k_v0.6.1", "vmaf_v0.6.1", "vmaf_v0.6.1neg"}
	if len(got) != len(want) {
		t.Fatalf("ModelVersions() = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ModelVersions() = %v, want %v", got, want)
		}
	}
	for _, v := range want {
		m, err := LoadModel(v, ModelOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Features()) != 6 {
			t.Errorf("%s: %d features", v, len(m.Features()))
		}
	}
	neg, _ := LoadModel("vmaf_v0.6.1neg", ModelOptions{})
	for _, f := range neg.Features() {
		if f.Base == "integer_motion2" {
			if f.EnhnGainLimit != 0 || f.Name != f.Base {
				t.Errorf("motion2 feature: %+v", f)
			}
		} else if f.EnhnGainLimit != 1 || f.Name != f.Base+"_egl_1" {
			t.Errorf("neg feature: %+v", f)
		}
	}
	if _, err := LoadModel("nope", ModelOptions{}); err == nil {
		t.Error("LoadModel(nope) succeeded")
	}
	if _, err := LoadModel("../models/LICENSE", ModelOptions{}); err == nil {
		t.Error("LoadModel(path) succeeded")
	}
}

func TestParseModelErrors(t *testing.T) {
	for _, s := range []string{
		``, `{}`, `{"model_dict": {}}`,
		`{"model_dict": {"model_type": "LIBSVMNUSVR", "feature_names": ["VMAF_feature_adm2_score"], "model": "svm_type nu_svr\nkernel_type rbf\ngamma 0.04\nrho 1\nSV\n1 1:0.5\n"}}`,
		`{"model_dict": {"model_type": "LIBSVMNUSVR", "norm_type": "none", "feature_names": ["VMAF_integer_feature_adm2_score"], "model": "svm_type nu_svr\nkernel_type rbf\nrho 1\nSV\n1 1:0.5\n"}}`,
		`{"model_dict": {"model_type": "LIBSVMNUSVR", "norm_type": "none", "feature_names": ["VMAF_integer_feature_adm2_score"], "model": "svm_type nu_svr\nkernel_type rbf\ngamma 1\nrho 1\nSV\n1 2:0.5\n"}}`,
	} {
		if _, err := ParseModel([]byte(s), ModelOptions{}); err == nil {
			t.Errorf("ParseModel(%q) succeeded", s)
		}
	}
	ok := `{"model_dict": {"model_type": "LIBSVMNUSVR", "norm_type": "none", "feature_names": ["VMAF_integer_feature_adm2_score"],
	  "score_transform": {"p0": 1, "p1": 2, "p2": null, "out_lte_in": "true"},
	  "model": "svm_type nu_svr\nkernel_type rbf\ngamma 1\nrho 0.5\nSV\n2 1:0.5\n"}}`
	m, err := ParseModel([]byte(ok), ModelOptions{EnableTransform: true})
	if err != nil {
		t.Fatal(err)
	}
	// svm: 2*exp(-1*(x-0.5)^2) - 0.5 ; at x=0.5 -> 1.5; polynomial 1+2*1.5 = 4.
	// libvmaf's C rectification compares with the input of the knots stage
	// (here the polynomial's output), so out_lte_in leaves 4.
	if got := m.PredictVector([]float64{0.5}); got != 4 {
		t.Errorf("predict = %v, want 4", got)
	}
	if _, err := m.Predict(map[string]float64{}); err == nil {
		t.Error("Predict without features succeeded")
	}
}

func TestPiecewiseLinear(t *testing.T) {
	ks := []knot{{0, 0}, {50, 60}, {100, 100}}
	for _, c := range []struct{ x, y float64 }{{0, 0}, {25, 30}, {50, 60}, {75, 80}, {100, 100}, {110, 108}, {-10, -12}} {
		if got := piecewiseLinear(c.x, ks); math.Abs(got-c.y) > 1e-9 {
			t.Errorf("piecewiseLinear(%v) = %v, want %v", c.x, got, c.y)
		}
	}
}

// TestModelOnly feeds libvmaf's own per-frame features (full precision, from
// the golden .vmaf.hp.json files) into the default model and compares with
// libvmaf's per-frame vmaf.
func TestModelOnly(t *testing.T) {
	dir, pairs := vmaftest.LoadManifest(t)
	m, err := LoadModel("", ModelOptions{})
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for _, p := range pairs {
		r := readReport(t, filepath.Join(dir, p.VmafHPJSON))
		pairWorst := 0.0
		var got []float64
		for _, f := range r.Frames {
			want, _ := f.Metrics.Get("vmaf")
			v, err := m.Predict(f.Metrics.Map())
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, v)
			pairWorst = math.Max(pairWorst, math.Abs(v-want))
		}
		if pairWorst > 1e-9 {
			t.Errorf("%s/%s: per-frame vmaf off by %g", p.Dir, p.Pair, pairWorst)
		}
		pool := Pool(got)
		wp := r.Pooled["vmaf"]
		if d := math.Abs(pool.Mean - wp.Mean); d > 1e-9 {
			t.Errorf("%s/%s: pooled mean %v, want %v", p.Dir, p.Pair, pool.Mean, wp.Mean)
		}
		if d := math.Abs(pool.HarmonicMean - wp.HarmonicMean); d > 1e-9 {
			t.Errorf("%s/%s: harmonic mean %v, want %v", p.Dir, p.Pair, pool.HarmonicMean, wp.HarmonicMean)
		}
		worst = math.Max(worst, pairWorst)
	}
	t.Logf("model-only: worst per-frame |Δvmaf| over %d pairs = %g", len(pairs), worst)
}

// TestModelOnlyVariants checks the NEG, 4K and no-clip models against the
// .models.json runs (whose inputs are printed with 6 decimals only).
func TestModelOnlyVariants(t *testing.T) {
	dir, pairs := vmaftest.LoadManifest(t)
	models := map[string]ModelOptions{
		"vmaf_v0.6.1":        {},
		"vmaf_v0.6.1_noclip": {DisableClip: true},
		"vmaf_v0.6.1neg":     {},
		"vmaf_4k_v0.6.1":     {},
	}
	for name, opt := range models {
		version := name
		if name == "vmaf_v0.6.1_noclip" {
			version = "vmaf_v0.6.1"
		}
		m, err := LoadModel(version, opt)
		if err != nil {
			t.Fatal(err)
		}
		worst := 0.0
		for _, p := range pairs {
			r := readReport(t, filepath.Join(dir, p.ModelsJSON))
			for _, f := range r.Frames {
				want, ok := f.Metrics.Get(name)
				if !ok {
					t.Fatalf("%s: no %s", p.ModelsJSON, name)
				}
				v, err := m.Predict(f.Metrics.Map())
				if err != nil {
					t.Fatal(err)
				}
				worst = math.Max(worst, math.Abs(v-want))
			}
		}
		// 6-decimal inputs: the SVM amplifies 5e-7 input rounding.
		if worst > 0.01 {
			t.Errorf("%s: worst per-frame |Δ| = %g", name, worst)
		}
		t.Logf("%s (6-decimal inputs): worst per-frame |Δ| = %g", name, worst)
	}
}

// TestJSONMatchesLibvmaf re-writes each full-precision golden report with
// WriteJSON and compares it with libvmaf's own 6-decimal output.
func TestJSONMatchesLibvmaf(t *testing.T) {
	dir, pairs := vmaftest.LoadManifest(t)
	fps := regexp.MustCompile(`(?m)^  "fps": .*$`)
	for _, p := range pairs {
		r := readReport(t, filepath.Join(dir, p.VmafHPJSON))
		var buf bytes.Buffer
		if err := WriteJSON(&buf, r); err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(dir, p.Dir, p.Pair+".vmaf.json"))
		if err != nil {
			t.Fatal(err)
		}
		got := fps.ReplaceAll(buf.Bytes(), nil)
		want = fps.ReplaceAll(want, nil)
		if !bytes.Equal(got, want) {
			gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
			for i := 0; i < len(gl) && i < len(wl); i++ {
				if !bytes.Equal(gl[i], wl[i]) {
					t.Errorf("%s/%s line %d: got %q want %q", p.Dir, p.Pair, i+1, gl[i], wl[i])
					break
				}
			}
			if len(gl) != len(wl) {
				t.Errorf("%s/%s: %d lines, want %d", p.Dir, p.Pair, len(gl), len(wl))
			}
		}
	}
}
