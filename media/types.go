// Package media holds plain data types that describe media and encode
// settings: what a probe finds, what a rung is, what an encode produced.
// It has no cgo and no dependencies, so workflow code, reports and the
// encoder can all share them.
package media

// SourceInfo is what Probe finds in a media file. It is serialised as the
// JSON that `reel probe` prints and travels in workflow payloads.
type SourceInfo struct {
	URI             string       `json:"uri"`
	Container       string       `json:"container"`           // libav short name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
	ContainerLong   string       `json:"container_long_name"` // e.g. "QuickTime / MOV"
	DurationSeconds float64      `json:"duration_seconds"`
	SizeBytes       int64        `json:"size_bytes"`
	BitRate         int64        `json:"bit_rate,omitempty"`
	Streams         []StreamInfo `json:"streams"`
}

// StreamInfo describes one stream.
type StreamInfo struct {
	Index     int     `json:"index"`
	Type      string  `json:"type"` // "video", "audio", "subtitle", "data"
	Codec     string  `json:"codec"`
	CodecLong string  `json:"codec_long_name,omitempty"`
	Profile   string  `json:"profile,omitempty"`
	BitRate   int64   `json:"bit_rate,omitempty"`
	Duration  float64 `json:"duration_seconds,omitempty"`
	StartTime float64 `json:"start_time_seconds"`
	TimeBase  string  `json:"time_base"` // "1/12800"

	// Video.
	Width        int     `json:"width,omitempty"`
	Height       int     `json:"height,omitempty"`
	SampleAspect string  `json:"sample_aspect_ratio,omitempty"` // "1:1"
	PixelFormat  string  `json:"pixel_format,omitempty"`        // "yuv420p10le"
	BitDepth     int     `json:"bit_depth,omitempty"`
	FrameRate    string  `json:"frame_rate,omitempty"` // rational, "30000/1001"
	FPS          float64 `json:"fps,omitempty"`
	// FrameCount is the number of frames: from the container when it says,
	// otherwise counted by reading packets.
	FrameCount     int    `json:"frame_count,omitempty"`
	FieldOrder     string `json:"field_order,omitempty"` // "progressive", "tt", "bb", "tb", "bt", "unknown"
	ColorPrimaries string `json:"color_primaries,omitempty"`
	ColorTransfer  string `json:"color_transfer,omitempty"`
	ColorMatrix    string `json:"color_matrix,omitempty"`
	ColorRange     string `json:"color_range,omitempty"` // "tv", "pc", "unknown"

	// Rotation is the display orientation of a stream whose container
	// says how to turn the stored picture (a display matrix, a rotate
	// tag): the stored picture, flipped left to right first when Mirrored,
	// is rotated clockwise by Rotation degrees (0, 90, 180 or 270). The
	// encoder's decoder applies it, so Width, Height and SampleAspect
	// describe the upright picture and encodes carry no rotation.
	Rotation int  `json:"rotation,omitempty"`
	Mirrored bool `json:"mirrored,omitempty"`

	// Audio.
	Channels      int    `json:"channels,omitempty"`
	ChannelLayout string `json:"channel_layout,omitempty"`
	SampleRate    int    `json:"sample_rate,omitempty"`
	SampleFormat  string `json:"sample_format,omitempty"`

	// Keyframes, only when ProbeOptions.Keyframes is set: presentation
	// times in seconds and packet indexes of keyframes, in order.
	Keyframes []Keyframe `json:"keyframes,omitempty"`
}

// Keyframe is one keyframe position.
type Keyframe struct {
	Frame   int     `json:"frame"`   // index in presentation order
	Seconds float64 `json:"seconds"` // presentation time
	Pos     int64   `json:"pos,omitempty"`
}

// ProbeOptions selects the extra work Probe does.
type ProbeOptions struct {
	// Keyframes lists keyframe positions of video streams (reads all packets).
	Keyframes bool
}

// Video returns the first video stream, or nil.
func (s *SourceInfo) Video() *StreamInfo {
	for i := range s.Streams {
		if s.Streams[i].Type == "video" {
			return &s.Streams[i]
		}
	}
	return nil
}

// RungSpec is one output rendition to encode.
type RungSpec struct {
	ID     string `json:"id"`
	Width  int    `json:"width"`  // even
	Height int    `json:"height"` // even
	// Codec: "h264" (libx264, the default when empty), "hevc" (libx265),
	// "vp9" (libvpx-vp9) or "av1" (libsvtav1).
	Codec string `json:"codec"`
	// Rate control: CRF when CRF > 0, otherwise capped VBR with
	// BitrateKbps/MaxrateKbps/BufsizeKbps.
	CRF         float64 `json:"crf,omitempty"`
	BitrateKbps int     `json:"bitrate_kbps,omitempty"`
	MaxrateKbps int     `json:"maxrate_kbps,omitempty"`
	BufsizeKbps int     `json:"bufsize_kbps,omitempty"`
	// Lossless encodes losslessly (h264: qp 0, hevc and vp9: lossless
	// mode); it excludes CRF and bitrates.
	Lossless bool `json:"lossless,omitempty"`
	// Preset: the x264/x265 preset names ("ultrafast" … "placebo",
	// default "medium") for every codec; VP9 maps them to cpu-used and
	// AV1 to the SVT-AV1 preset, and also accept those numbers directly
	// (VP9 0–8, AV1 0–13).
	Preset  string `json:"preset,omitempty"`
	Profile string `json:"profile,omitempty"` // "high", "main10", …
	// BitDepth of the output, 8 (default) or 10; output is 4:2:0.
	BitDepth int `json:"bit_depth,omitempty"`
	// PixelFormat is "" (4:2:0 at BitDepth, even sizes only) or "yuv444p":
	// 8-bit 4:4:4 at any size, h264 lossless only. It is for scoring
	// references, such as a trial reference at an odd source size
	// (720x405), whose luma must be the source's, sample for sample.
	PixelFormat string `json:"pixel_format,omitempty"`
	// GOPFrames is the keyframe interval in frames: keyframes come exactly
	// every GOPFrames frames (no scene-cut keyframes) so that GOPs align
	// with segments; 0 lets the codec choose. GOPs are always closed.
	GOPFrames int `json:"gop_frames,omitempty"`
	// Threads for the encoder; 0 = libav's default.
	Threads int `json:"threads,omitempty"`
}

// RungOutput is what an encode produced for one rung.
type RungOutput struct {
	ID            string  `json:"id"`
	Path          string  `json:"path"`
	Width         int     `json:"width"`
	Height        int     `json:"height"`
	Codec         string  `json:"codec"`
	BitDepth      int     `json:"bit_depth,omitempty"`
	Frames        int     `json:"frames"`
	Bytes         int64   `json:"bytes"`
	DurationSec   float64 `json:"duration_seconds"`
	BitrateKbps   float64 `json:"bitrate_kbps"` // bytes*8/duration/1000
	EncodeSeconds float64 `json:"encode_seconds"`
}
