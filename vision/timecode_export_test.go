package vision

import "testing"

func TestExportedTimecode(t *testing.T) {
	cases := []struct {
		n, num, den int
		want        string
	}{
		{25, 25, 1, "00:00:01:00"},
		{1800, 30000, 1001, "00:01:00:00"},
		{38, 25, 2, "00:00:03:00"},
		{50, 0, 0, "00:00:02:00"}, // unknown rate: 25 fps
	}
	for _, c := range cases {
		if got := Timecode(c.n, c.num, c.den); got != c.want {
			t.Errorf("Timecode(%d, %d, %d) = %s, want %s", c.n, c.num, c.den, got, c.want)
		}
	}
}
