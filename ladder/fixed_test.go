package ladder

import (
	"errors"
	"testing"
)

func TestRungSize(t *testing.T) {
	tests := []struct {
		name   string
		src    Source
		height int
		want   Size
	}{
		{"1080p to 720p", Source{Width: 1920, Height: 1080}, 720, Size{1280, 720}},
		{"1080p to 360p", Source{Width: 1920, Height: 1080}, 360, Size{640, 360}},
		{"never above source", Source{Width: 1280, Height: 720}, 1080, Size{1280, 720}},
		{"odd source height rounds down", Source{Width: 721, Height: 405}, 1080, Size{720, 404}},
		{"anamorphic 720x576 16:9", Source{Width: 720, Height: 576, SARNum: 64, SARDen: 45}, 576, Size{1024, 576}},
		{"small source", Source{Width: 320, Height: 192}, 360, Size{320, 192}},
		{"portrait", Source{Width: 1080, Height: 1920}, 720, Size{406, 720}},
		{"odd width aspect", Source{Width: 768, Height: 432}, 234, Size{416, 234}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RungSize(tt.src, tt.height)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("RungSize(%+v, %d) = %v, want %v", tt.src, tt.height, got, tt.want)
			}
			if got.Width%2 != 0 || got.Height%2 != 0 {
				t.Fatalf("odd size %v", got)
			}
		})
	}
}

func TestRungSizeBadSource(t *testing.T) {
	if _, err := RungSize(Source{}, 720); !errors.Is(err, ErrBadSource) {
		t.Fatalf("err = %v, want ErrBadSource", err)
	}
}

func TestFitCollapsesRungsAboveSource(t *testing.T) {
	idx, sizes, err := Fit(Source{Width: 1280, Height: 720}, []int{1080, 720, 360})
	if err != nil {
		t.Fatal(err)
	}
	if len(sizes) != 2 || idx[0] != 1 || idx[1] != 2 {
		t.Fatalf("idx %v sizes %v", idx, sizes)
	}
	if sizes[0] != (Size{1280, 720}) || sizes[1] != (Size{640, 360}) {
		t.Fatalf("sizes %v", sizes)
	}
}

func FuzzRungSize(f *testing.F) {
	f.Add(1920, 1080, 0, 0, 720)
	f.Add(721, 405, 1, 1, 1080)
	f.Add(720, 576, 64, 45, 360)
	f.Fuzz(func(t *testing.T, w, h, sn, sd, height int) {
		if w <= 0 || h <= 0 || w > 1<<14 || h > 1<<14 || height <= 0 || sn < 0 || sd < 0 || sn > 1000 || sd > 1000 {
			return
		}
		if sn > 0 && sd > 0 && (float64(sn)/float64(sd) > 10 || float64(sd)/float64(sn) > 10) {
			return
		}
		s, err := RungSize(Source{w, h, sn, sd}, height)
		if err != nil {
			t.Fatal(err)
		}
		if s.Width%2 != 0 || s.Height%2 != 0 || s.Width < 2 || s.Height < 2 && h >= 2 {
			t.Fatalf("bad size %v", s)
		}
		if h >= 2 && s.Height > h {
			t.Fatalf("height %d above source %d", s.Height, h)
		}
	})
}
