package mediatest

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"testing"

	ffmpeg "github.com/u2takey/ffmpeg-go"
)

// ProbeResult is ffprobe's JSON for a file: -show_format -show_streams
// -count_frames. Fields hold ffprobe's values as it prints them (numbers
// that it quotes stay strings), "" or 0 where it prints none.
type ProbeResult struct {
	Streams []Stream `json:"streams"`
	Format  Format   `json:"format"`
}

// Stream is one stream of a ProbeResult.
type Stream struct {
	Index          int    `json:"index"`
	CodecName      string `json:"codec_name"`
	CodecType      string `json:"codec_type"`
	CodecTagString string `json:"codec_tag_string"`
	Profile        string `json:"profile"`
	Width          int    `json:"width"`
	Height         int    `json:"height"`
	SAR            string `json:"sample_aspect_ratio"`
	PixFmt         string `json:"pix_fmt"`
	RFrameRate     string `json:"r_frame_rate"`
	AvgFrameRate   string `json:"avg_frame_rate"`
	TimeBase       string `json:"time_base"`
	StartTime      string `json:"start_time"`
	Duration       string `json:"duration"`
	NbFrames       string `json:"nb_frames"`
	NbReadFrames   string `json:"nb_read_frames"`
	FieldOrder     string `json:"field_order"`
	ColorRange     string `json:"color_range"`
	ColorSpace     string `json:"color_space"`
	ColorTransfer  string `json:"color_transfer"`
	ColorPrimaries string `json:"color_primaries"`
	Channels       int    `json:"channels"`
	ChannelLayout  string `json:"channel_layout"`
	SampleRate     string `json:"sample_rate"`
	SampleFmt      string `json:"sample_fmt"`
}

// Format is the container part of a ProbeResult.
type Format struct {
	FormatName string `json:"format_name"`
	Size       string `json:"size"`
	Duration   string `json:"duration"`
	StartTime  string `json:"start_time"`
	BitRate    string `json:"bit_rate"`
}

// ReadFrames is the stream's counted frames (nb_read_frames), 0 if none.
func (s Stream) ReadFrames() int {
	n, _ := strconv.Atoi(s.NbReadFrames)
	return n
}

// Seconds is the stream's duration in seconds, NaN if ffprobe gives none.
func (s Stream) Seconds() float64 { return seconds(s.Duration) }

// Seconds is the container's duration in seconds, NaN if ffprobe gives
// none.
func (f Format) Seconds() float64 { return seconds(f.Duration) }

// Video returns the first video stream (the zero Stream if there is none).
func (p ProbeResult) Video() Stream { return p.first("video") }

// Audio returns the first audio stream (the zero Stream if there is none).
func (p ProbeResult) Audio() Stream { return p.first("audio") }

func (p ProbeResult) first(typ string) Stream {
	for _, s := range p.Streams {
		if s.CodecType == typ {
			return s
		}
	}
	return Stream{}
}

// Probe runs ffprobe on path (streams, format, counted frames) or fails
// tb.
func Probe(tb testing.TB, path string) ProbeResult {
	tb.Helper()
	Need(tb)
	p, err := ProbeFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// ProbeFile is Probe for callers that go on after a failure (reading
// through a mount, say): it returns ffprobe's error.
func ProbeFile(path string) (ProbeResult, error) {
	var p ProbeResult
	out, err := probe(path, Args{"show_format": "", "show_streams": "", "count_frames": ""})
	if err == nil {
		err = json.Unmarshal(out, &p)
	}
	if err != nil {
		return p, fmt.Errorf("ffprobe %s: %w", path, err)
	}
	return p, nil
}

// ProbeJSON returns ffprobe's JSON for path with the options args
// (Args{"show_streams": "", "count_packets": ""}), for a test that reads
// fields ProbeResult leaves out or compares the document itself.
func ProbeJSON(tb testing.TB, path string, args Args) []byte {
	tb.Helper()
	Need(tb)
	out, err := probe(path, args)
	if err != nil {
		tb.Fatalf("ffprobe %s: %v", path, err)
	}
	return out
}

func probe(path string, args Args) ([]byte, error) {
	out, err := ffmpeg.ProbeWithTimeoutExec(path, 0, withAll(args, Args{"v": "error", "of": "json"}))
	return []byte(out), err
}

// CountFrames returns the number of frames ffprobe decodes from path's
// first video stream.
func CountFrames(tb testing.TB, path string) int {
	tb.Helper()
	return CountFramesOf(tb, path, 0)
}

// CountFramesOf returns the number of frames ffprobe decodes from path's
// video stream i (an HLS master's variant i).
func CountFramesOf(tb testing.TB, path string, i int) int {
	tb.Helper()
	var doc struct {
		Streams []Stream `json:"streams"`
	}
	out := ProbeJSON(tb, path, Args{"select_streams": fmt.Sprintf("v:%d", i), "count_frames": "", "show_entries": "stream=nb_read_frames"})
	if err := json.Unmarshal(out, &doc); err != nil || len(doc.Streams) != 1 {
		tb.Fatalf("ffprobe %s: %s (%v)", path, out, err)
	}
	return doc.Streams[0].ReadFrames()
}

// Packet is one packet as ffprobe lists it. Times are in seconds, NaN
// where ffprobe gives none.
type Packet struct {
	PTS      int64   // presentation timestamp in the stream's time base
	PTSTime  float64 // presentation time
	Duration float64 // duration
	Pos      int64   // byte offset in the file, -1 if unknown
	Size     int64   // payload bytes
	Flags    string  // "K_", "__", "KD", …
}

// Key reports whether the packet is a keyframe's.
func (p Packet) Key() bool { return len(p.Flags) > 0 && p.Flags[0] == 'K' }

// Packets lists the packets of the streams that streams selects (ffprobe's
// -select_streams: "v", "v:0", "a:0") in file order.
func Packets(tb testing.TB, path, streams string) []Packet {
	tb.Helper()
	raw := entries(tb, path, streams, "packet", "pts,pts_time,duration_time,pos,size,flags")
	ps := make([]Packet, 0, len(raw))
	for _, p := range raw {
		q := Packet{PTSTime: seconds(p.PTSTime), Duration: seconds(p.DurationTime), Pos: -1, Flags: p.Flags}
		if p.PTS != nil {
			q.PTS = *p.PTS
		}
		if v, err := strconv.ParseInt(p.Pos, 10, 64); err == nil {
			q.Pos = v
		}
		q.Size, _ = strconv.ParseInt(p.Size, 10, 64)
		ps = append(ps, q)
	}
	return ps
}

// Frame is one decoded frame as ffprobe lists it.
type Frame struct {
	PTSTime       float64 // presentation time in seconds, NaN if none
	Key           bool
	Width, Height int
}

// Frames decodes the streams that streams selects ("v", "v:0") with
// ffprobe and lists their frames in decoding output order.
func Frames(tb testing.TB, path, streams string) []Frame {
	tb.Helper()
	raw := entries(tb, path, streams, "frame", "pts_time,key_frame,width,height")
	fs := make([]Frame, 0, len(raw))
	for _, f := range raw {
		fs = append(fs, Frame{PTSTime: seconds(f.PTSTime), Key: f.KeyFrame == 1, Width: f.Width, Height: f.Height})
	}
	return fs
}

// entry is one packet or frame in ffprobe's JSON, with the fields that
// Packets and Frames ask for.
type entry struct {
	PTS          *int64 `json:"pts"`
	PTSTime      string `json:"pts_time"`
	DurationTime string `json:"duration_time"`
	Pos          string `json:"pos"`
	Size         string `json:"size"`
	Flags        string `json:"flags"`
	KeyFrame     int    `json:"key_frame"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
}

// entries lists ffprobe's sections of kind ("packet", "frame") with the
// given fields for the selected streams.
func entries(tb testing.TB, path, streams, kind, fields string) []entry {
	tb.Helper()
	out := ProbeJSON(tb, path, Args{"select_streams": streams, "show_entries": kind + "=" + fields})
	var doc map[string][]entry
	if err := json.Unmarshal(out, &doc); err != nil {
		tb.Fatalf("ffprobe %s: %v", path, err)
	}
	return doc[kind+"s"]
}

// seconds parses one of ffprobe's decimal times; NaN if it is not one.
func seconds(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.NaN()
	}
	return v
}

// DisplayRotation is ffprobe's rotation of path's first video stream's
// display matrix in degrees (av_display_rotation_get: the negated
// clockwise angle ffmpeg's autorotate turns the picture by), 0 without one.
func DisplayRotation(tb testing.TB, path string) int {
	tb.Helper()
	var p struct {
		Streams []struct {
			SideData []struct {
				Rotation int `json:"rotation"`
			} `json:"side_data_list"`
		} `json:"streams"`
	}
	data := ProbeJSON(tb, path, Args{"select_streams": "v:0", "show_entries": "stream_side_data=rotation"})
	if err := json.Unmarshal(data, &p); err != nil {
		tb.Fatalf("ffprobe %s: %v", path, err)
	}
	for _, s := range p.Streams {
		for _, sd := range s.SideData {
			if sd.Rotation != 0 {
				return sd.Rotation
			}
		}
	}
	return 0
}
