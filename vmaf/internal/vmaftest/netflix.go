package vmaftest

import (
	"path/filepath"
	"testing"

	"github.com/reel-video/reel/frame"
)

// NetflixPair is one of Netflix's raw yuv420p test pairs (from
// github.com/Netflix/vmaf_resource, python/test/resource/yuv) in the shared
// vmaf/netflix directory. Its expected values are those of
// NETFLIX_TEST_EXPECTATIONS.md in that directory: libvmaf's CLI output,
// printed with 6 decimals.
type NetflixPair struct {
	Ref, Dis                string // file names in [NetflixDir]
	Width, Height, BitDepth int
}

// The Netflix test pairs the tests use.
var (
	// Netflix160x90 is the 48-frame 8-bit 160x90 pair; testdata/vmaf holds
	// an xz-compressed copy of it (see [ReadTestdataPair]).
	Netflix160x90 = NetflixPair{
		Ref:      "ref_test_0_1_src01_hrc00_576x324_576x324_vs_src01_hrc01_576x324_576x324_q_160x90.yuv",
		Dis:      "dis_test_0_1_src01_hrc00_576x324_576x324_vs_src01_hrc01_576x324_576x324_q_160x90.yuv",
		Width:    160,
		Height:   90,
		BitDepth: 8,
	}
	// NetflixAkiyo is the "VMAF hacking" pair: the distorted clip is the
	// reference multiplied by a gain, 8-bit 352x288 (CIF).
	NetflixAkiyo = NetflixPair{
		Ref:      "refp_vmaf_hacking_investigation_0_0_akiyo_cif_notyuv_0to0_identity_vs_akiyo_cif_notyuv_0to0_multiply_q_352x288",
		Dis:      "disp_vmaf_hacking_investigation_0_0_akiyo_cif_notyuv_0to0_identity_vs_akiyo_cif_notyuv_0to0_multiply_q_352x288",
		Width:    352,
		Height:   288,
		BitDepth: 8,
	}
	// Netflix10bit is the 3-frame 10-bit (yuv420p10le) 576x324 pair.
	Netflix10bit = NetflixPair{
		Ref:      "src01_hrc00_576x324.yuv420p10le.yuv",
		Dis:      "src01_hrc01_576x324.yuv420p10le.yuv",
		Width:    576,
		Height:   324,
		BitDepth: 10,
	}
)

// Read returns the frames of the pair's reference and distorted clips,
// skipping the test when the shared Netflix data is absent.
func (p NetflixPair) Read(t testing.TB) (ref, dis []*frame.Frame) {
	t.Helper()
	return p.ReadRef(t), ReadYUV420(t, filepath.Join(NetflixDir(t), p.Dis), p.Width, p.Height, p.BitDepth)
}

// ReadRef returns the frames of the pair's reference clip, skipping the
// test when the shared Netflix data is absent.
func (p NetflixPair) ReadRef(t testing.TB) []*frame.Frame {
	t.Helper()
	return ReadYUV420(t, filepath.Join(NetflixDir(t), p.Ref), p.Width, p.Height, p.BitDepth)
}
