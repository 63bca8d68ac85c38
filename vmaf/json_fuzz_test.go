package vmaf

import (
	"bytes"
	"testing"
)

// FuzzReadJSON feeds libvmaf JSON logs to ReadJSON: it never panics, and
// a log it accepts writes (WriteJSON) and reads back, after which writing
// is stable byte for byte. Seeds are TestJSONRoundTrip's log and the bad
// logs it refuses.
func FuzzReadJSON(f *testing.F) {
	f.Add([]byte(`{"version": "3.2.0", "fps": 12.35, "frames": [{"frameNum": 0, "metrics": {"psnr_y": 40.000000, "integer_adm_scale0": 1.0000002500000000, "vmaf": 90.000000}},` +
		`{"frameNum": 1, "metrics": {"psnr_y": null, "vmaf": 91.5}}], "pooled_metrics": {"vmaf": {"min": 90, "max": 91.5, "mean": 90.75, "harmonic_mean": 90.7}},` +
		` "aggregate_metrics": {"x": 1.5}}`))
	for _, bad := range []string{"", "[]", `{"frames": [{"metrics": {}}]}`, `{"frames": [{"frameNum": 0, "metrics": {"a": "x"}}]}`, `{"version": 1}`,
		`{"fps": 1e400}`, `{"frames": [{"frameNum": -3, "metrics": {"a": 1}}, {"frameNum": 2, "metrics": {"a": 1e-9}}]}`} {
		f.Add([]byte(bad))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ReadJSON(bytes.NewReader(data))
		if err != nil {
			return
		}
		var once bytes.Buffer
		if err := WriteJSON(&once, r); err != nil {
			t.Fatalf("accepted log does not write: %v", err)
		}
		r2, err := ReadJSON(bytes.NewReader(once.Bytes()))
		if err != nil {
			t.Fatalf("written log does not read: %v\n%s", err, once.Bytes())
		}
		var twice bytes.Buffer
		if err := WriteJSON(&twice, r2); err != nil {
			t.Fatal(err)
		}
		r3, err := ReadJSON(bytes.NewReader(twice.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		var thrice bytes.Buffer
		if err := WriteJSON(&thrice, r3); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(twice.Bytes(), thrice.Bytes()) {
			t.Fatalf("writing is not stable:\n%s\n---\n%s", twice.Bytes(), thrice.Bytes())
		}
	})
}
