package ladder_test

import (
	"fmt"

	"github.com/reel-video/reel/ladder"
)

// trials are trial encodes of a short title at two resolutions.
var trials = []ladder.Point{
	{Width: 640, Height: 360, Codec: "h264", CRF: 34, BitrateKbps: 250, VMAF: 55},
	{Width: 640, Height: 360, Codec: "h264", CRF: 28, BitrateKbps: 500, VMAF: 70},
	{Width: 640, Height: 360, Codec: "h264", CRF: 22, BitrateKbps: 1000, VMAF: 76},
	{Width: 1280, Height: 720, Codec: "h264", CRF: 34, BitrateKbps: 700, VMAF: 66},
	{Width: 1280, Height: 720, Codec: "h264", CRF: 28, BitrateKbps: 1400, VMAF: 84},
	{Width: 1280, Height: 720, Codec: "h264", CRF: 22, BitrateKbps: 2800, VMAF: 93},
}

func ExampleHull() {
	hull, err := ladder.Hull(trials)
	if err != nil {
		panic(err)
	}
	for _, p := range hull {
		fmt.Printf("%dp CRF %g: %g kbps, VMAF %g\n", p.Height, p.CRF, p.BitrateKbps, p.VMAF)
	}
	// Output:
	// 360p CRF 34: 250 kbps, VMAF 55
	// 360p CRF 28: 500 kbps, VMAF 70
	// 720p CRF 28: 1400 kbps, VMAF 84
	// 720p CRF 22: 2800 kbps, VMAF 93
}

func ExampleSelect() {
	rungs, err := ladder.Select(trials, ladder.Constraints{
		Rungs:    3,
		MaxKbps:  2000,
		MinRatio: 1.5,
	})
	if err != nil {
		panic(err)
	}
	for _, r := range rungs {
		fmt.Printf("%dx%d CRF %g: %g kbps, VMAF %g\n", r.Width, r.Height, r.CRF, r.BitrateKbps, r.VMAF)
	}
	// Output:
	// 640x360 CRF 34: 250 kbps, VMAF 55
	// 640x360 CRF 28: 500 kbps, VMAF 70
	// 1280x720 CRF 28: 1400 kbps, VMAF 84
}

func ExampleSelect_interpolated() {
	rungs, err := ladder.Select(trials, ladder.Constraints{
		Rungs:       5,
		MinRatio:    1.4,
		Interpolate: true,
		CRFStep:     1, // integer CRFs only
	})
	if err != nil {
		panic(err)
	}
	for _, r := range rungs {
		fmt.Printf("%dp CRF %g: %.0f kbps, VMAF %.1f (interpolated %v)\n", r.Height, r.CRF, r.BitrateKbps, r.VMAF, r.Interpolated)
	}
	// Output:
	// 360p CRF 34: 250 kbps, VMAF 55.0 (interpolated false)
	// 360p CRF 31: 354 kbps, VMAF 61.2 (interpolated true)
	// 360p CRF 28: 500 kbps, VMAF 70.0 (interpolated false)
	// 720p CRF 28: 1400 kbps, VMAF 84.0 (interpolated false)
	// 720p CRF 22: 2800 kbps, VMAF 93.0 (interpolated false)
}

func ExampleBDRate() {
	ref := []ladder.RDPoint{{Rate: 1000, Quality: 70}, {Rate: 2000, Quality: 80}, {Rate: 4000, Quality: 88}, {Rate: 8000, Quality: 93}}
	// The same qualities for 20% fewer bits.
	test := []ladder.RDPoint{{Rate: 800, Quality: 70}, {Rate: 1600, Quality: 80}, {Rate: 3200, Quality: 88}, {Rate: 6400, Quality: 93}}
	d, err := ladder.BDRate(ref, test)
	if err != nil {
		panic(err)
	}
	fmt.Printf("BD-rate %.1f%%\n", 100*d)
	q, err := ladder.BDQuality(ref, test)
	if err != nil {
		panic(err)
	}
	fmt.Printf("BD-VMAF %+.2f\n", q)
	// Output:
	// BD-rate -20.0%
	// BD-VMAF +2.48
}

func ExampleNewPCHIP() {
	p, err := ladder.NewPCHIP([]float64{0, 1, 2, 3}, []float64{0, 1, 1, 2})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.4f %.4f %.4f\n", p.At(0.5), p.At(1.5), p.Integral(0, 3))
	// Output:
	// 0.6875 1.0000 3.0000
}

func ExampleMinBitsForQuality() {
	// Two shots: an easy one (cheap at high quality) and a hard one.
	shots := []ladder.Shot{
		{Frames: 100, Options: []ladder.ShotOption{
			{Height: 720, CRF: 30, Bits: 100e3, Quality: 88},
			{Height: 1080, CRF: 26, Bits: 200e3, Quality: 94},
			{Height: 1080, CRF: 22, Bits: 400e3, Quality: 97},
		}},
		{Frames: 100, Options: []ladder.ShotOption{
			{Height: 540, CRF: 30, Bits: 300e3, Quality: 70},
			{Height: 720, CRF: 26, Bits: 600e3, Quality: 82},
			{Height: 1080, CRF: 22, Bits: 1200e3, Quality: 90},
		}},
	}
	plan, err := ladder.MinBitsForQuality(shots, 88)
	if err != nil {
		panic(err)
	}
	for _, c := range plan.Choices {
		fmt.Printf("shot %d: %dp CRF %g\n", c.Shot, c.Height, c.CRF)
	}
	fmt.Printf("%.0f kbit, mean quality %.1f, exact %v\n", plan.Bits/1e3, plan.Quality, plan.Exact)
	// Output:
	// shot 0: 1080p CRF 26
	// shot 1: 720p CRF 26
	// 800 kbit, mean quality 88.0, exact true
}
