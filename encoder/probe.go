package encoder

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/reel-video/reel/encoder/internal/av"
)

// Probe describes the container and streams of input, like ffprobe
// -show_format -show_streams. Frame counts come from the container when it
// announces them; otherwise Probe reads every packet and counts them. Raw
// streams without container timing (Annex-B .264) get their duration from
// frame count and frame rate.
//
// input is a path or an s3:// or file:// URI (see IOOptions).
//
// Errors wrap ErrNotFound, ErrEmpty, ErrInvalidData or ErrUnsupported
// (ErrAccessDenied or ErrSourceChanged for a store).
// Probe does not require a video stream; use SourceInfo.Video.
func Probe(ctx context.Context, input string, opts ProbeOptions) (*SourceInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	src, err := openSource(ctx, input, readRange)
	if err != nil {
		return nil, fmt.Errorf("encoder: probe %w", err)
	}
	defer src.close()
	c, err := av.Probe(ctx, src.in, true, opts.Keyframes)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("encoder: probe %w", src.mapErr(err))
	}
	info := &SourceInfo{
		URI:             input,
		Container:       c.Name,
		ContainerLong:   c.LongName,
		DurationSeconds: c.Duration,
		BitRate:         c.BitRate,
		SizeBytes:       src.size(),
	}
	if src.r == nil && !strings.Contains(input, "://") {
		if fi, err := os.Stat(input); err == nil {
			info.SizeBytes = fi.Size()
		}
	}
	for _, s := range c.Streams {
		info.Streams = append(info.Streams, streamInfo(s))
	}
	if info.DurationSeconds < 0 {
		info.DurationSeconds = 0
		for _, s := range info.Streams {
			info.DurationSeconds = max(info.DurationSeconds, s.Duration)
		}
	}
	if info.BitRate == 0 && info.DurationSeconds > 0 && info.SizeBytes > 0 {
		info.BitRate = int64(float64(info.SizeBytes*8) / info.DurationSeconds)
	}
	return info, nil
}

// streamInfo converts av's description of a stream. Video streams without
// container timing get Duration from FrameCount/FPS and keyframe times from
// their index.
func streamInfo(s av.Stream) StreamInfo {
	si := StreamInfo{
		Index:          s.Index,
		Type:           s.Type,
		Codec:          s.Codec,
		CodecLong:      s.CodecLong,
		Profile:        s.Profile,
		BitRate:        s.BitRate,
		Duration:       max(s.Duration, 0),
		StartTime:      s.StartTime,
		TimeBase:       fmt.Sprintf("%d/%d", s.TimeBaseNum, s.TimeBaseDen),
		Width:          s.Width,
		Height:         s.Height,
		PixelFormat:    s.PixelFormat,
		BitDepth:       s.BitDepth,
		FrameCount:     s.FrameCount,
		FieldOrder:     s.FieldOrder,
		ColorPrimaries: s.ColorPrimaries,
		ColorTransfer:  s.ColorTransfer,
		ColorMatrix:    s.ColorMatrix,
		ColorRange:     s.ColorRange,
		Channels:       s.Channels,
		ChannelLayout:  s.ChannelLayout,
		SampleRate:     s.SampleRate,
		SampleFormat:   s.SampleFormat,
	}
	si.Rotation, si.Mirrored = s.Rotation, s.Mirrored
	if s.SARNum > 0 && s.SARDen > 0 {
		si.SampleAspect = fmt.Sprintf("%d:%d", s.SARNum, s.SARDen)
	}
	if s.FrameRateNum > 0 && s.FrameRateDen > 0 {
		si.FrameRate = fmt.Sprintf("%d/%d", s.FrameRateNum, s.FrameRateDen)
		si.FPS = float64(s.FrameRateNum) / float64(s.FrameRateDen)
	}
	if si.Type == "video" && si.Duration == 0 && si.FrameCount > 0 && si.FPS > 0 {
		si.Duration = float64(si.FrameCount) / si.FPS
	}
	for _, k := range s.Keyframes {
		kf := Keyframe{Frame: k.Frame, Seconds: k.Seconds, Pos: k.Pos}
		if kf.Seconds < 0 {
			kf.Seconds = 0
			if si.FPS > 0 {
				kf.Seconds = float64(k.Frame) / si.FPS
			}
		}
		si.Keyframes = append(si.Keyframes, kf)
	}
	return si
}
