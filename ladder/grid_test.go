package ladder

import (
	"slices"
	"testing"
)

// TestFitTrialGrid: the per-title trial grid (workflows.TrialGrid sizes
// the profile's heights with Fit) holds the source's own size whenever the
// source is no taller than the tallest trial height, because every taller
// height is capped at the source: a 720x405 source trialled at Apple's
// heights gets 718x404 above 640x360. A source taller than every height
// keeps the grid's top (a 2160-line source stops at 1080 lines unless the
// profile lists a taller height), a source on a listed height gets no
// duplicate and one below every height is trialled at its own size alone.
func TestFitTrialGrid(t *testing.T) {
	apple := []int{234, 360, 432, 540, 720, 1080}
	tests := []struct {
		name    string
		src     Source
		heights []int
		want    []Size
	}{
		{"720x405 between 360 and 432: own size in the grid", Source{Width: 720, Height: 405}, apple,
			[]Size{{416, 234}, {640, 360}, {718, 404}}},
		{"1920x1080 on a listed height: no duplicate", Source{Width: 1920, Height: 1080}, apple,
			[]Size{{416, 234}, {640, 360}, {768, 432}, {960, 540}, {1280, 720}, {1920, 1080}}},
		{"1280x720 on a listed height: no duplicate", Source{Width: 1280, Height: 720}, apple,
			[]Size{{416, 234}, {640, 360}, {768, 432}, {960, 540}, {1280, 720}}},
		{"4K above the top height: unchanged", Source{Width: 3840, Height: 2160}, apple,
			[]Size{{416, 234}, {640, 360}, {768, 432}, {960, 540}, {1280, 720}, {1920, 1080}}},
		{"4K with 2160 listed by the profile", Source{Width: 3840, Height: 2160}, append(slices.Clone(apple), 2160),
			[]Size{{416, 234}, {640, 360}, {768, 432}, {960, 540}, {1280, 720}, {1920, 1080}, {3840, 2160}}},
		{"4K with 1440 listed: capped at it, no own size", Source{Width: 3840, Height: 2160}, []int{720, 1080, 1440},
			[]Size{{1280, 720}, {1920, 1080}, {2560, 1440}}},
		{"tiny 320x180 below every height: one size", Source{Width: 320, Height: 180}, apple,
			[]Size{{320, 180}}},
		{"768x432 between 360 and 540 lands on 432", Source{Width: 768, Height: 432}, []int{234, 360, 540, 720},
			[]Size{{416, 234}, {640, 360}, {768, 432}}},
		{"unsorted heights: in the order given", Source{Width: 1280, Height: 600}, []int{720, 360, 1080},
			[]Size{{1280, 600}, {768, 360}}},
		{"anamorphic 720x576 16:9 between 540 and 720", Source{Width: 720, Height: 576, SARNum: 64, SARDen: 45}, apple,
			[]Size{{416, 234}, {640, 360}, {768, 432}, {960, 540}, {1024, 576}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got, err := Fit(tt.src, tt.heights)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Fit(%+v, %v) = %v, want %v", tt.src, tt.heights, got, tt.want)
			}
			seen := map[Size]bool{}
			for _, s := range got {
				if seen[s] {
					t.Errorf("duplicate size %v", s)
				}
				seen[s] = true
				if s.Width%2 != 0 || s.Height%2 != 0 || s.Height > tt.src.Height {
					t.Errorf("size %v: odd or above the source", s)
				}
			}
		})
	}
}
