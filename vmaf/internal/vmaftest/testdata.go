package vmaftest

import (
	"encoding/json"
	"flag"
	"math"
	"os"
	"testing"

	"github.com/reel-video/reel/frame"
)

// The 160x90 Netflix test pair stored in testdata/vmaf: xz-compressed
// copies of [Netflix160x90] (48 frames, yuv420p).
const (
	TestdataRef = "netflix_160x90_ref.yuv.xz"
	TestdataDis = "netflix_160x90_dis.yuv.xz"
)

// ReadTestdataPair returns the first n frames (all 48 when n <= 0) of the
// 160x90 pair in testdata/vmaf; it needs nothing outside the repository.
func ReadTestdataPair(t testing.TB, n int) (ref, dis []*frame.Frame) {
	t.Helper()
	ref = ReadYUV420(t, Testdata(t, TestdataRef), 160, 90, 8)
	dis = ReadYUV420(t, Testdata(t, TestdataDis), 160, 90, 8)
	if len(ref) != len(dis) {
		t.Fatalf("testdata pair: %d reference frames, %d distorted", len(ref), len(dis))
	}
	if n > 0 {
		if len(ref) < n {
			t.Fatalf("testdata pair has %d frames, want at least %d", len(ref), n)
		}
		ref, dis = ref[:n], dis[:n]
	}
	return ref, dis
}

var update = flag.Bool("update", false, "rewrite the values recorded from this implementation in testdata/vmaf (expected_{adm,motion,vif}_160x90.json) instead of checking them")

// Recorded handles a file of values recorded from this implementation in
// testdata/vmaf (see its README.md). Normally it decodes the JSON file name
// into want and returns true; the caller then compares want with got. When
// the test binary runs with -update (go test ./vmaf/internal/... -run X
// -args -update) it writes got to the file instead and returns false.
func Recorded(t testing.TB, name string, got, want any) bool {
	t.Helper()
	path := Testdata(t, name)
	if *update {
		b, err := json.MarshalIndent(got, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", path)
		return false
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, want); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return true
}

// Tol6 is the tolerance for a value libvmaf printed with 6 decimals: half
// a unit of the 6th decimal, plus a little for the rounding of the print.
const Tol6 = 5.000001e-7

// CheckClose reports an error when |got - want| > tol (or got is NaN) and
// logs the values otherwise.
func CheckClose(t testing.TB, name string, got, want, tol float64) {
	t.Helper()
	if d := math.Abs(got - want); !(d <= tol) {
		t.Errorf("%s: got %.9f want %.6f (|diff| %.3g > %.3g)", name, got, want, d, tol)
	} else {
		t.Logf("%s: got %.9f want %.6f (|diff| %.3g)", name, got, want, d)
	}
}

// Check6 is [CheckClose] with [Tol6]: got against a value libvmaf printed
// with 6 decimals.
func Check6(t testing.TB, name string, got, want float64) {
	t.Helper()
	CheckClose(t, name, got, want, Tol6)
}
