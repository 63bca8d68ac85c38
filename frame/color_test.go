package frame

import "testing"

func TestYCbCrToRGB(t *testing.T) {
	for _, c := range []struct {
		name             string
		y, cb, cr        float64
		full, hd         bool
		wantR, wantG, wB uint8
	}{
		{"limited black", 16, 128, 128, false, false, 0, 0, 0},
		{"limited white", 235, 128, 128, false, true, 255, 255, 255},
		{"full grey", 128, 128, 128, true, false, 128, 128, 128},
		{"below black clips", 0, 128, 128, false, false, 0, 0, 0},
		{"601 red", 81, 90, 240, false, false, 255, 0, 0},   // BT.601 limited-range red
		{"709 red", 63, 102, 240, false, true, 255, 0, 0},   // BT.709 limited-range red
		{"709 green", 173, 42, 26, false, true, 0, 255, 1},  // BT.709 limited-range green (rounded)
		{"601 blue", 41, 240, 110, false, false, 0, 0, 255}, // BT.601 limited-range blue
	} {
		r, g, b := YCbCrToRGB(c.y, c.cb, c.cr, c.full, c.hd)
		if d := max(absDiff(r, c.wantR), absDiff(g, c.wantG), absDiff(b, c.wB)); d > 2 {
			t.Errorf("%s: (%d,%d,%d), want (%d,%d,%d) within 2", c.name, r, g, b, c.wantR, c.wantG, c.wB)
		}
	}
}

func absDiff(a, b uint8) uint8 {
	if a > b {
		return a - b
	}
	return b - a
}
