package vmaf

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/reel-video/reel/frame"
)

func TestPooling(t *testing.T) {
	xs := []float64{90, 80, 100, 70}
	p := Pool(xs)
	if p.Min != 70 || p.Max != 100 || p.Mean != 85 {
		t.Errorf("Pool = %+v", p)
	}
	wantH := 4/(1/91.0+1/81.0+1/101.0+1/71.0) - 1
	if math.Abs(p.HarmonicMean-wantH) > 1e-12 {
		t.Errorf("harmonic = %v, want %v", p.HarmonicMean, wantH)
	}
	if h := HarmonicMean([]float64{0, 0}); h != 0 {
		t.Errorf("harmonic of zeros = %v", h)
	}
	for _, c := range []struct{ p, want float64 }{{0, 70}, {100, 100}, {50, 85}, {10, 73}, {1, 70.3}, {5, 71.5}, {-5, 70}, {150, 100}} {
		if got := Percentile(xs, c.p); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("Percentile(%v) = %v, want %v", c.p, got, c.want)
		}
	}
	if xs[0] != 90 {
		t.Error("Percentile sorted its input")
	}
	if !math.IsNaN(Mean(nil)) || !math.IsNaN(Percentile(nil, 5)) || !math.IsNaN(Min(nil)) {
		t.Error("empty input should give NaN")
	}
}

func TestFormatNumber(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{
		{60, "60.000000"}, {0, "0.000000"}, {98.6080938466, "98.608094"},
		{1.0000002469392040, "1.0000002469392040"}, {0.0000005, "0.0000005000000000"},
		{1.0000016, "1.000002"}, {-2.5, "-2.500000"}, {math.NaN(), "null"}, {math.Inf(1), "null"},
	} {
		if got := FormatNumber(c.v); got != c.want {
			t.Errorf("FormatNumber(%v) = %s, want %s", c.v, got, c.want)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	r := &Result{FPS: 12.345}
	for i := 0; i < 3; i++ {
		var fr FrameResult
		fr.Num = i
		fr.Metrics.Set("psnr_y", 40+float64(i)/3)
		fr.Metrics.Set("integer_adm_scale0", 1.00000025)
		fr.Metrics.Set("vmaf", 90+float64(i))
		r.Frames = append(r.Frames, fr)
	}
	r.pool()
	r.Aggregate = map[string]float64{"x": 1.5}
	r.AggregateOrder = []string{"x"}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	got, err := ReadJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if got.Version != LibvmafVersion || got.FPS != 12.35 || len(got.Frames) != 3 || got.Aggregate["x"] != 1.5 {
		t.Errorf("read back %+v", got)
	}
	if k := got.Frames[1].Metrics.Keys(); strings.Join(k, ",") != "psnr_y,integer_adm_scale0,vmaf" {
		t.Errorf("metric order %v", k)
	}
	if v, _ := got.Frames[0].Metrics.Get("integer_adm_scale0"); v != 1.00000025 {
		t.Errorf("16-decimal value read back as %v", v)
	}
	if got.Pooled["vmaf"].Mean != 91 || strings.Join(got.PooledOrder, ",") != "psnr_y,integer_adm_scale0,vmaf" {
		t.Errorf("pooled %+v order %v", got.Pooled["vmaf"], got.PooledOrder)
	}
	if got.Score() != 91 || got.Percentile("vmaf", 50) != 91 {
		t.Errorf("Score %v", got.Score())
	}
	for _, bad := range []string{"", "[]", `{"frames": [{"metrics": {}}]}`, `{"frames": [{"frameNum": 0, "metrics": {"a": "x"}}]}`, `{"version": 1}`} {
		if _, err := ReadJSON(strings.NewReader(bad)); !errors.Is(err, ErrBadJSON) {
			t.Errorf("ReadJSON(%q) = %v", bad, err)
		}
	}
}

func TestScoreY4M(t *testing.T) {
	mk := func(n, w, h, seed int) *bytes.Buffer {
		var buf bytes.Buffer
		yw, _ := frame.NewY4MWriter(&buf, frame.Y4MHeader{Width: w, Height: h, Chroma: frame.Chroma420})
		for i := 0; i < n; i++ {
			yw.WriteFrame(newTestFrame(t, w, h, 8, frame.Chroma420, i+seed))
		}
		return &buf
	}
	cfg := Config{Model: NoModel, Features: []string{FeaturePSNR, FeatureMotion}, Threads: 2}
	res, err := ScoreY4M(mk(4, 64, 48, 0), mk(4, 64, 48, 0), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Frames) != 4 || res.Pooled["psnr_y"].Mean != 60 {
		t.Errorf("identical streams: %d frames, psnr %+v", len(res.Frames), res.Pooled["psnr_y"])
	}
	if _, err := ScoreY4M(mk(4, 64, 48, 0), mk(3, 64, 48, 0), cfg); !errors.Is(err, ErrFormatMismatch) {
		t.Errorf("length mismatch: %v", err)
	}
	if _, err := ScoreY4M(mk(1, 64, 48, 0), mk(1, 32, 48, 0), cfg); !errors.Is(err, ErrFormatMismatch) {
		t.Errorf("size mismatch: %v", err)
	}
	if _, err := ScoreY4M(strings.NewReader("nope"), mk(1, 64, 48, 0), cfg); !errors.Is(err, frame.ErrNotY4M) {
		t.Errorf("bad y4m: %v", err)
	}
}
