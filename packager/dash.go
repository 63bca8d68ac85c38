package packager

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"time"

	"github.com/Eyevinn/dash-mpd/mpd"
)

// DASH profiles of manifest.mpd: ISO BMFF live (segment templates) and
// the CMAF profile of ISO/IEC 23009-1.
const (
	profileLive = mpd.PROFILE_LIVE
	profileCMAF = "urn:mpeg:dash:profile:cmaf:2019"
)

// adaptationKey groups renditions into AdaptationSets: video by codec
// family, audio by codec family and language.
type adaptationKey struct {
	kind   Kind
	family string
	lang   string
}

// dashManifest is the static MPD: one Period, an AdaptationSet per video
// codec family and per audio codec family and language, each
// Representation with its own SegmentTemplate ($RepresentationID$,
// $Number$ from 1) and SegmentTimeline of exact durations in its track's
// timescale.
func dashManifest(tracks []*track, opts Options) ([]byte, error) {
	m := mpd.NewMPD(mpd.STATIC_TYPE)
	m.Profiles = mpd.ListOfProfilesType(profileLive).AddProfile(profileCMAF)
	var duration, longest float64
	for _, t := range tracks {
		duration = max(duration, t.duration())
		for _, s := range t.segments {
			longest = max(longest, t.seconds(s.dur))
		}
	}
	m.MediaPresentationDuration = mpd.Seconds2DurPtrFloat64(duration)
	m.MinBufferTime = mpd.Seconds2DurPtrFloat64(max(opts.SegmentSeconds, longest))
	m.MaxSegmentDuration = mpd.Seconds2DurPtrFloat64(longest)
	period := mpd.NewPeriod()
	period.Id = "0"
	period.Start = mpd.Seconds2DurPtr(0)
	m.AppendPeriod(period)

	var keys []adaptationKey
	sets := map[adaptationKey][]*track{}
	for _, t := range tracks {
		k := adaptationKey{kind: t.r.Kind, family: family(t.fourcc)}
		if t.r.Kind == Audio {
			k.lang = t.lang
		}
		if _, ok := sets[k]; !ok {
			keys = append(keys, k)
		}
		sets[k] = append(sets[k], t)
	}
	for i, k := range keys {
		ts := sets[k]
		mime := mpd.MIME_TYPE_VIDEO_MP4
		if k.kind == Audio {
			mime = mpd.MIME_TYPE_AUDIO_MP4
		}
		as := mpd.NewAdaptationSetWithParams(string(k.kind), mime, aligned(ts), 1)
		as.Id = mpd.Ptr(uint32(i))
		if k.kind == Audio && k.lang != "" && k.lang != "und" {
			as.Lang = k.lang
		}
		if codecs := ts[0].codecs; all(ts, func(t *track) bool { return t.codecs == codecs }) {
			as.Codecs = codecs
		}
		if k.kind == Video {
			var maxW, maxH uint32
			for _, t := range ts {
				maxW, maxH = max(maxW, uint32(t.width)), max(maxH, uint32(t.height))
			}
			as.MaxWidth, as.MaxHeight = maxW, maxH
			if fr := ts[0].frameRateString(); all(ts, func(t *track) bool { return t.frameRateString() == fr }) {
				as.FrameRate = mpd.FrameRateType(fr)
			}
		}
		period.AppendAdaptationSet(as)
		for _, t := range ts {
			peak, _ := t.bitrates()
			rep := mpd.NewRepresentationWithID(t.r.ID, t.codecs, "", int(peak))
			if as.Codecs != "" {
				rep.Codecs = ""
			}
			switch k.kind {
			case Video:
				rep.Width, rep.Height = uint32(t.width), uint32(t.height)
				rep.Sar = mpd.RatioType(fmt.Sprintf("%d:%d", t.sarW, t.sarH))
				if as.FrameRate == "" {
					rep.FrameRate = mpd.FrameRateType(t.frameRateString())
				}
			case Audio:
				rep.AudioSamplingRate = mpd.Ptr(mpd.UIntVectorType(fmt.Sprint(t.sampleRate)))
				if t.channels > 0 {
					rep.AudioChannelConfigurations = []*mpd.DescriptorType{{
						SchemeIdUri: "urn:mpeg:mpegB:cicp:ChannelConfiguration",
						Value:       fmt.Sprint(cicpChannels(t.channels)),
					}}
				}
			}
			rep.SegmentTemplate = segmentTemplate(t)
			as.AppendRepresentation(rep)
		}
	}
	var buf bytes.Buffer
	if _, err := m.Write(&buf, "  ", true); err != nil {
		return nil, fmt.Errorf("packager: write %s: %w", mpdName, err)
	}
	buf.WriteByte('\n')
	return subSecondDurations(buf.Bytes(), m.MediaPresentationDuration, m.MinBufferTime, m.MaxSegmentDuration), nil
}

// subSecondDurations rewrites the attributes of durations under a second,
// which dash-mpd v0.12 writes wrongly (0.75 s as "PT750000000\uFFFDS"):
// a title or its segments shorter than a second would otherwise get a
// manifest.mpd that no parser reads.
func subSecondDurations(doc []byte, ds ...*mpd.Duration) []byte {
	for _, d := range ds {
		if d == nil || *d <= 0 || time.Duration(*d) >= time.Second {
			continue
		}
		var bad bytes.Buffer
		if err := xml.EscapeText(&bad, []byte(d.String())); err != nil {
			continue
		}
		good := "PT" + strconv.FormatFloat(time.Duration(*d).Seconds(), 'f', -1, 64) + "S"
		doc = bytes.ReplaceAll(doc, []byte(`="`+bad.String()+`"`), []byte(`="`+good+`"`))
	}
	return doc
}

// segmentTemplate is t's SegmentTemplate: its segments' earliest
// presentation times and durations, equal runs folded into @r.
func segmentTemplate(t *track) *mpd.SegmentTemplateType {
	st := &mpd.SegmentTemplateType{
		Media:          "$RepresentationID$/seg-$Number$.m4s",
		Initialization: "$RepresentationID$/init.mp4",
	}
	st.Timescale = mpd.Ptr(t.timescale)
	st.StartNumber = mpd.Ptr(uint32(1))
	if first := t.segments[0].start; first != 0 {
		st.PresentationTimeOffset = mpd.Ptr(first)
	}
	tl := &mpd.SegmentTimelineType{}
	var last *mpd.S
	var end uint64
	for k, s := range t.segments {
		if last != nil && last.D == s.dur && end == s.start {
			last.R++
			end += s.dur
			continue
		}
		last = &mpd.S{D: s.dur}
		if k == 0 || end != s.start {
			last.T = mpd.Ptr(s.start)
		}
		tl.S = append(tl.S, last)
		end = s.start + s.dur
	}
	st.SegmentTimeline = tl
	return st
}

// aligned reports whether every track's segments start at the same
// times (in seconds, to a millisecond): DASH segmentAlignment.
func aligned(ts []*track) bool {
	ref := ts[0]
	for _, t := range ts[1:] {
		if len(t.segments) != len(ref.segments) {
			return false
		}
		for k := range t.segments {
			a, b := ref.seconds(ref.segments[k].start), t.seconds(t.segments[k].start)
			if a-b > 0.001 || b-a > 0.001 {
				return false
			}
		}
	}
	return true
}

func all(ts []*track, f func(*track) bool) bool {
	for _, t := range ts {
		if !f(t) {
			return false
		}
	}
	return true
}

// frameRateString is the DASH @frameRate: "25" or "30000/1001".
func (t *track) frameRateString() string {
	switch {
	case t.fpsDen == 0:
		return ""
	case t.fpsDen == 1:
		return fmt.Sprint(t.fpsNum)
	default:
		return fmt.Sprintf("%d/%d", t.fpsNum, t.fpsDen)
	}
}

// cicpChannels is the ChannelConfiguration (ISO/IEC 23091-3) of the
// usual layouts for a channel count.
func cicpChannels(n int) int {
	switch n {
	case 6:
		return 6 // 5.1
	case 8:
		return 12 // 7.1 (back)
	default:
		return n // 1 mono, 2 stereo
	}
}
