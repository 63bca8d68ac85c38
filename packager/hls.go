package packager

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/Eyevinn/hls-m3u8/m3u8"
)

// File names in the package.
const (
	masterName   = "master.m3u8"
	mpdName      = "manifest.mpd"
	playlistName = "playlist.m3u8"
	iframesName  = "iframes.m3u8"
	hlsVersion   = 7
)

type file struct {
	rel  string
	data []byte
}

// hlsPlaylists returns every rendition's media playlist (and I-frame
// playlist) followed by master.m3u8, in the order they are to be written.
func hlsPlaylists(tracks []*track, opts Options) ([]file, error) {
	var files []file
	for _, t := range tracks {
		pl, err := mediaPlaylist(t)
		if err != nil {
			return nil, err
		}
		files = append(files, file{t.r.ID + "/" + playlistName, pl})
		if opts.IFrames && t.r.Kind == Video {
			pl, err := iframePlaylist(t)
			if err != nil {
				return nil, err
			}
			files = append(files, file{t.r.ID + "/" + iframesName, pl})
		}
	}
	master, err := masterPlaylist(tracks, opts)
	if err != nil {
		return nil, err
	}
	return append(files, file{masterName, master}), nil
}

// targetDuration is EXT-X-TARGETDURATION: the longest segment rounded to
// the nearest second (RFC 8216 §4.3.3.1, version 6 and later), at least 1.
func targetDuration(t *track) uint {
	var longest float64
	for _, s := range t.segments {
		longest = max(longest, t.seconds(s.dur))
	}
	return uint(max(1, math.Round(longest)))
}

func newMediaPlaylist(t *track) (*m3u8.MediaPlaylist, error) {
	pl, err := m3u8.NewMediaPlaylist(0, uint(len(t.segments)))
	if err != nil {
		return nil, fmt.Errorf("packager: rendition %q: playlist: %w", t.r.ID, err)
	}
	pl.SetVersion(hlsVersion)
	pl.MediaType = m3u8.VOD
	pl.Closed = true
	pl.SetIndependentSegments(true)
	pl.Map = &m3u8.Map{URI: "init.mp4"}
	return pl, nil
}

// mediaPlaylist lists t's segments with their exact durations.
func mediaPlaylist(t *track) ([]byte, error) {
	pl, err := newMediaPlaylist(t)
	if err != nil {
		return nil, err
	}
	for k, s := range t.segments {
		if err := pl.Append(fmt.Sprintf("seg-%d.m4s", k+1), t.seconds(s.dur), ""); err != nil {
			return nil, fmt.Errorf("packager: rendition %q: playlist: %w", t.r.ID, err)
		}
	}
	pl.TargetDuration = targetDuration(t)
	return pl.Encode().Bytes(), nil
}

// iframePlaylist lists the key frame that starts each segment, as a byte
// range of the segment (styp, moof and the key frame's data).
func iframePlaylist(t *track) ([]byte, error) {
	pl, err := newMediaPlaylist(t)
	if err != nil {
		return nil, err
	}
	pl.Iframe = true
	for k, s := range t.segments {
		seg := m3u8.GetSegment()
		seg.URI = fmt.Sprintf("seg-%d.m4s", k+1)
		seg.Duration = t.seconds(s.dur)
		seg.Limit = int64(s.iframeLen)
		if err := pl.AppendSegment(seg); err != nil {
			return nil, fmt.Errorf("packager: rendition %q: I-frame playlist: %w", t.r.ID, err)
		}
	}
	pl.TargetDuration = targetDuration(t)
	return pl.Encode().Bytes(), nil
}

// iframeBitrates are the I-frame playlist's peak and average bitrates.
func iframeBitrates(t *track) (peak, avg int64) {
	return t.rates(func(s segment) int { return s.iframeLen })
}

// audioGroups maps each audio group ID to its tracks, in input order.
func audioGroups(tracks []*track) (ids []string, groups map[string][]*track) {
	groups = map[string][]*track{}
	for _, t := range tracks {
		if t.r.Kind != Audio {
			continue
		}
		g := groupID(t.r)
		if _, ok := groups[g]; !ok {
			ids = append(ids, g)
		}
		groups[g] = append(groups[g], t)
	}
	return ids, groups
}

// masterPlaylist is the multivariant playlist: the audio groups
// (EXT-X-MEDIA), a variant per video rendition and audio group it plays
// with (BANDWIDTH and AVERAGE-BANDWIDTH the video's plus the group's
// largest, CODECS the video's and every codec of the group), and an
// I-frame variant per video rendition.
func masterPlaylist(tracks []*track, opts Options) ([]byte, error) {
	master := m3u8.NewMasterPlaylist()
	master.SetVersion(hlsVersion)
	master.SetIndependentSegments(true)
	ids, groups := audioGroups(tracks)
	alternatives := map[string][]*m3u8.Alternative{}
	for _, g := range ids {
		for i, a := range groups[g] {
			name := a.r.Name
			if name == "" {
				name = a.r.ID
			}
			alt := &m3u8.Alternative{
				Type: "AUDIO", GroupId: g, Name: name, Language: a.lang,
				Default: i == 0, Autoselect: true,
				URI: a.r.ID + "/" + playlistName,
			}
			if a.lang == "und" {
				alt.Language = ""
			}
			if a.channels > 0 {
				alt.Channels = &m3u8.Channels{Amount: a.channels}
			}
			alternatives[g] = append(alternatives[g], alt)
		}
	}
	for _, v := range tracks {
		if v.r.Kind != Video {
			continue
		}
		peak, avg := v.bitrates()
		params := m3u8.VariantParams{
			Bandwidth: uint32(peak), AverageBandwidth: uint32(avg), Codecs: v.codecs,
			Resolution: fmt.Sprintf("%dx%d", v.width, v.height),
			FrameRate:  math.Round(float64(v.fpsNum)/float64(max(v.fpsDen, 1))*1000) / 1000,
		}
		with := ids
		if v.r.GroupID != "" {
			with = []string{v.r.GroupID} // checked by checkRenditions
		}
		if len(with) == 0 {
			master.Append(v.r.ID+"/"+playlistName, nil, params)
		}
		for _, g := range with {
			p := params
			var apeak, aavg int64
			codecs := []string{v.codecs}
			for _, a := range groups[g] {
				ap, aa := a.bitrates()
				apeak, aavg = max(apeak, ap), max(aavg, aa)
				if !slices.Contains(codecs, a.codecs) {
					codecs = append(codecs, a.codecs)
				}
			}
			p.Bandwidth = uint32(peak + apeak)
			p.AverageBandwidth = uint32(avg + aavg)
			p.Codecs = strings.Join(codecs, ",")
			p.Audio = g
			p.Alternatives = alternatives[g]
			master.Append(v.r.ID+"/"+playlistName, nil, p)
		}
	}
	if opts.IFrames {
		for _, v := range tracks {
			if v.r.Kind != Video {
				continue
			}
			peak, avg := iframeBitrates(v)
			master.Append(v.r.ID+"/"+iframesName, nil, m3u8.VariantParams{
				Iframe: true, Bandwidth: uint32(peak), AverageBandwidth: uint32(avg), Codecs: v.codecs,
				Resolution: fmt.Sprintf("%dx%d", v.width, v.height),
			})
		}
	}
	master.SetVersion(hlsVersion)
	return master.Encode().Bytes(), nil
}
