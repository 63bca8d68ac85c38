// Package report defines report.json, the versioned record of what reel did
// to a title: what the source is, what was encoded, how good it is, how long
// it took. The HTML report and other tools read this one schema.
package report

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/request"
)

// SchemaVersion is the version of the report layout. It changes when a field
// changes meaning or is removed; added fields keep the version.
//
// Version 2: QC severities come from the profile (info, warning, blocker;
// version 1 reports carry "error" for black, freeze and true peak), and
// the gate and package sections. Read takes both.
const SchemaVersion = 2

// MinSchemaVersion is the oldest report layout Read takes.
const MinSchemaVersion = 1

// Report is the content of report.json.
type Report struct {
	SchemaVersion int              `json:"schema_version"`
	Title         Title            `json:"title"`
	Profile       string           `json:"profile"`
	Source        media.SourceInfo `json:"source"`
	Rungs         []Rung           `json:"rungs"`
	// Audio lists the audio renditions.
	Audio []Audio `json:"audio,omitempty"`
	// Ladder says how the rungs were chosen: fixed, or per-title with the
	// trial encodes, hull, predictions and reference comparison.
	Ladder *Ladder `json:"ladder,omitempty"`
	// Chunks describes the chunked encode (absent for a one-pass encode).
	Chunks *Chunks `json:"chunks,omitempty"`
	// QC holds the QC checks' findings on the source and on every rung.
	QC *QC `json:"qc,omitempty"`
	// Shots are the source's shot boundaries, [start, end) frames.
	Shots []Shot `json:"shots,omitempty"`
	// Package describes the HLS/DASH package of the rungs and audio
	// (absent when the title was not packaged).
	Package *Package `json:"package,omitempty"`
	// Gate is the QC gate's outcome: its mode, state, blockers and the
	// reviewer's decision (absent before the gate existed).
	Gate *Gate `json:"gate,omitempty"`
	// Timings holds wall seconds per stage ("probe", "encode", "score", …).
	Timings  map[string]float64 `json:"timings"`
	Warnings []string           `json:"warnings"`
	// CreatedAt is when the report was written, RFC 3339 UTC.
	CreatedAt string `json:"created_at"`
}

// Title identifies the title and the run that made the report.
type Title struct {
	ID         string `json:"id"`
	Source     string `json:"source"`
	Out        string `json:"out"`
	WorkflowID string `json:"workflow_id"`
	RunID      string `json:"run_id"`
	// Request is what the run was asked to do: the source's identity
	// (size, modification time, ETag, hashes of its ends), the profile's
	// hash after defaults and the output. A later request of the title is
	// answered with this run's result only when it is the same. Absent in
	// reports of runs that did not record it.
	Request *request.Identity `json:"request,omitempty"`
}

// Rung is one encoded rendition and its measured quality.
type Rung struct {
	ID string `json:"id"`
	// Path is the rung's file relative to the title's output location.
	Path          string  `json:"path"`
	Width         int     `json:"width"`
	Height        int     `json:"height"`
	Codec         string  `json:"codec"`
	BitrateKbps   float64 `json:"bitrate_kbps"`
	Bytes         int64   `json:"bytes"`
	Frames        int     `json:"frames"`
	DurationSec   float64 `json:"duration_seconds"`
	EncodeSeconds float64 `json:"encode_seconds"`
	// Settings the rung was encoded with.
	Settings media.RungSpec `json:"settings"`
	// VMAF of the rung upscaled (bicubic) to the source size against the
	// source, model vmaf_v0.6.1, as Netflix scores ladder rungs.
	VMAF VMAF `json:"vmaf"`
	// PSNRY is the mean per-frame PSNR of luma in the same comparison, in
	// dB (capped at 60 for 8-bit, as libvmaf does).
	PSNRY float64 `json:"psnr_y"`
	// ScoresPath is the libvmaf-format JSON with every frame's metrics,
	// relative to the title's output location.
	ScoresPath string `json:"scores_path"`
	// Worst are the rung's worst moments, lowest VMAF first: runs of
	// frames in the rung's lowest 1% of per-frame VMAF, each with the
	// source's and the rung's picture at its lowest frame (absent in
	// reports written before them).
	Worst []Moment `json:"worst,omitempty"`
}

// Moment is a run of a rung's frames [StartFrame, EndFrame) whose VMAF is
// in the rung's lowest 1%, and the frame of it with the lowest VMAF.
type Moment struct {
	StartFrame int `json:"start_frame"`
	EndFrame   int `json:"end_frame"`
	// Frame is the lowest-scoring frame, VMAF its score, Seconds its
	// presentation time from the title's start and TC its timecode
	// (HH:MM:SS:FF).
	Frame   int     `json:"frame"`
	VMAF    float64 `json:"vmaf"`
	Seconds float64 `json:"seconds"`
	TC      string  `json:"tc"`
	// SourceThumbnail and RungThumbnail are JPEGs of Frame in the source
	// and in the rung (scaled to the same width), relative to the title's
	// output location; empty when the frame could not be decoded.
	SourceThumbnail string `json:"source_thumbnail,omitempty"`
	RungThumbnail   string `json:"rung_thumbnail,omitempty"`
}

// VMAF is a rung's VMAF pooled over its frames, and the per-frame series.
type VMAF struct {
	Mean         float64 `json:"mean"`
	HarmonicMean float64 `json:"harmonic_mean"`
	Min          float64 `json:"min"`
	Max          float64 `json:"max"`
	// P1, P5 and P10 are percentiles (linear interpolation between ranks).
	P1  float64 `json:"p1"`
	P5  float64 `json:"p5"`
	P10 float64 `json:"p10"`
	// PerFrame holds every frame's VMAF, in frame order.
	PerFrame []float64 `json:"per_frame"`
}

// Write encodes r as indented JSON.
func (r *Report) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// Read decodes a report and checks its schema version.
func Read(rd io.Reader) (*Report, error) {
	var r Report
	if err := json.NewDecoder(rd).Decode(&r); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if r.SchemaVersion < MinSchemaVersion || r.SchemaVersion > SchemaVersion {
		return nil, fmt.Errorf("report: schema_version %d, this reel reads %d to %d", r.SchemaVersion, MinSchemaVersion, SchemaVersion)
	}
	return &r, nil
}

// QC is the report's QC section.
type QC struct {
	Source *QCStream            `json:"source,omitempty"`
	Rungs  map[string]*QCStream `json:"rungs,omitempty"`
	// Summary counts events per severity over the source and all rungs.
	Summary map[string]int `json:"summary"`
}

// QCStream is the QC result of one stream (the source or a rung).
type QCStream struct {
	// Path is the full result (with per-frame series), relative to the
	// title's output location.
	Path    string    `json:"path"`
	Frames  int       `json:"frames"`
	Events  []QCEvent `json:"events"`
	Skipped []string  `json:"skipped,omitempty"`
	Audio   *QCAudio  `json:"audio,omitempty"`
}

// QCEvent is one finding over a span of frames [StartFrame, EndFrame).
type QCEvent struct {
	Check      string  `json:"check"`
	Severity   string  `json:"severity"` // info, warning, blocker ("error" in older reports)
	StartFrame int     `json:"start_frame"`
	EndFrame   int     `json:"end_frame"`
	StartTC    string  `json:"start_tc"` // HH:MM:SS:FF
	EndTC      string  `json:"end_tc"`
	Start      float64 `json:"start"` // seconds
	End        float64 `json:"end"`
	Value      float64 `json:"value"`
	Threshold  float64 `json:"threshold"`
	Detail     string  `json:"detail,omitempty"`
	// Thumbnail is a JPEG of a frame in the event, relative to the title's
	// output location (video events only).
	Thumbnail string `json:"thumbnail,omitempty"`
}

// QCAudio holds programme loudness (EBU R128 / ITU-R BS.1770-4).
type QCAudio struct {
	Channels        int     `json:"channels"`
	SampleRate      int     `json:"sample_rate"`
	IntegratedLUFS  float64 `json:"integrated_lufs"`
	LoudnessRangeLU float64 `json:"loudness_range_lu"`
	TruePeakDBTP    float64 `json:"true_peak_dbtp"`
}

// Shot is a run of source frames between two boundaries.
type Shot struct {
	Start      int     `json:"start"`
	End        int     `json:"end"`
	Confidence float64 `json:"confidence"`
	Kind       string  `json:"kind"`
}

// Audio is one audio rendition.
type Audio struct {
	ID          string  `json:"id"`
	Path        string  `json:"path"` // relative to the title's output
	Codec       string  `json:"codec"`
	Channels    int     `json:"channels"`
	SampleRate  int     `json:"sample_rate"`
	BitrateKbps float64 `json:"bitrate_kbps"`
	Bytes       int64   `json:"bytes"`
	DurationSec float64 `json:"duration_seconds"`
	StartSec    float64 `json:"start_seconds"`
}

// Chunks describes how the title was cut and encoded in parallel.
type Chunks struct {
	Count int `json:"count"`
	// Reused counts chunks taken from the content-addressed cache.
	Reused int `json:"reused"`
	// Plan lists each chunk's first frame and length.
	Plan []ChunkSpan `json:"plan"`
	// Concealed lists source frames that failed to decode and were
	// replaced by the previous good frame.
	Concealed []int `json:"concealed,omitempty"`
}

// ChunkSpan is one chunk of the plan.
type ChunkSpan struct {
	Start  int `json:"start"`
	Frames int `json:"frames"`
}

// Package is the report's section on the title's CMAF package: HLS and
// DASH manifests over fragmented-MP4 segments of every rung and audio
// rendition (package packager). Paths are relative to the title's output
// location.
type Package struct {
	// Master is the HLS multivariant playlist ("package/master.m3u8"),
	// MPD the DASH manifest ("package/manifest.mpd"); empty when that
	// format was not written.
	Master string `json:"master,omitempty"`
	MPD    string `json:"mpd,omitempty"`
	// SegmentSeconds is the target segment duration.
	SegmentSeconds float64 `json:"segment_seconds"`
	// DurationSec is the longest rendition's duration.
	DurationSec float64 `json:"duration_seconds"`
	// Renditions are the rungs, then the audio renditions.
	Renditions []PackageRendition `json:"renditions"`
}

// PackageRendition is one packaged rung or audio rendition.
type PackageRendition struct {
	ID   string `json:"id"`
	Kind string `json:"kind"` // "video" or "audio"
	// Codecs is the RFC 6381 codec string the manifests carry (CODECS,
	// @codecs), e.g. "avc1.64001f" or "mp4a.40.2"; SampleEntry its
	// sample entry (avc1, avc3, hvc1, hev1, vp09, av01, mp4a, Opus).
	Codecs      string `json:"codecs"`
	SampleEntry string `json:"sample_entry"`
	Width       int    `json:"width,omitempty"`
	Height      int    `json:"height,omitempty"`
	// Init is the CMAF header ("package/<id>/init.mp4"), Playlist the HLS
	// media playlist and IFramePlaylist the HLS I-frame playlist.
	Init           string `json:"init"`
	Playlist       string `json:"playlist,omitempty"`
	IFramePlaylist string `json:"iframe_playlist,omitempty"`
	// Segments counts the media segments, seg-1.m4s … seg-<Segments>.m4s
	// beside Init.
	Segments    int     `json:"segments"`
	DurationSec float64 `json:"duration_seconds"`
	Bytes       int64   `json:"bytes"`
	// PeakBitrate is the largest segment's bits over its duration (HLS
	// BANDWIDTH, DASH @bandwidth); AverageBitrate all segments' bits over
	// the duration (HLS AVERAGE-BANDWIDTH). Bits per second.
	PeakBitrate    int64 `json:"peak_bps"`
	AverageBitrate int64 `json:"average_bps"`
}

// Gate is the report's section on the QC gate.
type Gate struct {
	// Mode is the profile's gate: hold, fail or off.
	Mode string `json:"mode"`
	// State: passed (no blocker), held, approved, rejected, blocked (gate
	// "fail" or a hold that timed out) or off.
	State    string        `json:"state"`
	Blockers []GateBlocker `json:"blockers,omitempty"`
	// HeldSince is when the title began waiting, RFC 3339 UTC.
	HeldSince string      `json:"held_since,omitempty"`
	Review    *GateReview `json:"review,omitempty"`
}

// GateBlocker is one finding that held the title: a QC event of severity
// blocker, or one of the gate's own checks (frame_count, duration,
// min_vmaf, concealed).
type GateBlocker struct {
	Check string `json:"check"`
	// Stream is "source" or a rung's id.
	Stream     string  `json:"stream"`
	StartFrame int     `json:"start_frame"`
	EndFrame   int     `json:"end_frame"`
	StartTC    string  `json:"start_tc,omitempty"`
	EndTC      string  `json:"end_tc,omitempty"`
	Value      float64 `json:"value"`
	Threshold  float64 `json:"threshold"`
	Detail     string  `json:"detail,omitempty"`
	// Thumbnail is relative to the title's output location.
	Thumbnail string `json:"thumbnail,omitempty"`
}

// GateReview is a reviewer's decision: who, when, what and why.
type GateReview struct {
	Decision string `json:"decision"` // approve or reject
	By       string `json:"by,omitempty"`
	Note     string `json:"note,omitempty"`
	// At is RFC 3339 UTC.
	At string `json:"at"`
}
