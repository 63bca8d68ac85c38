package reporthtml

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/reel-video/reel/report"
)

// summary is the summary card's text, every value still to be escaped by
// the template.
type summary struct {
	Video    []string // one line per video stream
	Audio    []string // one line per audio stream
	Duration string
	Loudness string
	Ladder   string
	BD       []string // BD figures of a per-title ladder against its reference
	Timings  []timing
	QCCounts []qcCount
}

type timing struct {
	Stage   string
	Seconds string
}

type qcCount struct {
	Severity string
	Count    int
}

func summarize(r *report.Report) *summary {
	s := &summary{}
	for _, st := range r.Source.Streams {
		switch st.Type {
		case "video":
			line := fmt.Sprintf("%s %dx%d", st.Codec, st.Width, st.Height)
			if st.Profile != "" {
				line += " (" + st.Profile + ")"
			}
			if st.FrameRate != "" || st.FPS > 0 {
				line += fmt.Sprintf(", %s fps", formatNum(st.FPS))
				if st.FrameRate != "" {
					line += " (" + st.FrameRate + ")"
				}
			}
			if st.PixelFormat != "" {
				line += ", " + st.PixelFormat
			}
			if st.FrameCount > 0 {
				line += fmt.Sprintf(", %d frames", st.FrameCount)
			}
			switch st.ColorTransfer {
			case "smpte2084":
				line += ", HDR (PQ)"
			case "arib-std-b67":
				line += ", HDR (HLG)"
			default:
				line += ", SDR"
			}
			switch st.FieldOrder {
			case "", "progressive", "unknown":
				line += ", progressive"
			default:
				line += ", interlaced (" + st.FieldOrder + ")"
			}
			s.Video = append(s.Video, line)
		case "audio":
			line := st.Codec
			if st.Channels > 0 {
				line += fmt.Sprintf(", %d ch", st.Channels)
			}
			if st.ChannelLayout != "" {
				line += " (" + st.ChannelLayout + ")"
			}
			if st.SampleRate > 0 {
				line += fmt.Sprintf(", %d Hz", st.SampleRate)
			}
			s.Audio = append(s.Audio, line)
		}
	}
	if d := r.Source.DurationSeconds; d > 0 {
		s.Duration = fmt.Sprintf("%s s (%s)", formatNum(d), clock(d))
	}
	if r.QC != nil && r.QC.Source != nil && r.QC.Source.Audio != nil {
		a := r.QC.Source.Audio
		s.Loudness = fmt.Sprintf("%s LUFS integrated, %s LU range, %s dBTP true peak", formatNum(a.IntegratedLUFS), formatNum(a.LoudnessRangeLU), formatNum(a.TruePeakDBTP))
	}
	if l := r.Ladder; l != nil {
		s.Ladder = l.Mode
		if l.PerShot {
			s.Ladder += ", a CRF per chunk"
		}
		if l.Trials != nil {
			s.Ladder += fmt.Sprintf(", %d trial grid points on %d sampled ranges", len(l.Trials.Grid), len(l.Trials.Sample))
		}
		if ref := l.Reference; ref != nil {
			bd := func(name string, v *float64, pct bool, why string) string {
				switch {
				case v != nil && pct:
					return fmt.Sprintf("%s against %s: %+.1f%%", name, ref.Name, *v*100)
				case v != nil:
					return fmt.Sprintf("%s against %s: %+.2f", name, ref.Name, *v)
				case why != "":
					return fmt.Sprintf("%s against %s: not computed (%s)", name, ref.Name, why)
				}
				return fmt.Sprintf("%s against %s: not computed", name, ref.Name)
			}
			s.BD = []string{
				bd("BD-rate predicted", ref.BDRatePredicted, true, ref.BDRatePredictedError),
				bd("BD-rate measured", ref.BDRateMeasured, true, ref.BDRateMeasuredError),
				bd("BD-VMAF measured", ref.BDVMAFMeasured, false, ref.BDVMAFMeasuredError),
			}
		}
	} else {
		s.Ladder = "fixed"
	}
	for _, k := range slices.Sorted(maps.Keys(r.Timings)) {
		s.Timings = append(s.Timings, timing{Stage: k, Seconds: formatNum(r.Timings[k])})
	}
	if r.QC != nil {
		for _, k := range slices.Sorted(maps.Keys(r.QC.Summary)) {
			s.QCCounts = append(s.QCCounts, qcCount{Severity: k, Count: r.QC.Summary[k]})
		}
	}
	return s
}

// clock formats seconds as H:MM:SS.mmm.
func clock(sec float64) string {
	ms := int64(sec*1000 + 0.5)
	h, ms := ms/3600000, ms%3600000
	m, ms := ms/60000, ms%60000
	return strings.TrimSpace(fmt.Sprintf("%d:%02d:%02d.%03d", h, m, ms/1000, ms%1000))
}
