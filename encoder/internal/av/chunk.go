package av

import (
	"errors"
	"fmt"
	"io"

	"github.com/asticode/go-astiav"
)

// maxSeekTries bounds how many times SeekFrame backs off to an earlier
// keyframe before it decodes from the start.
const maxSeekTries = 4

// frameIndex returns the presentation index of the current frame: from its
// timestamp relative to the first frame's in timestamp mode, else from the
// count of frames decoded.
func (d *Decoder) frameIndex() int {
	if !d.usePTS {
		return d.frames - 1
	}
	ts := bestEffortTimestamp(d.cur)
	if ts == astiav.NoPtsValue {
		d.lastIdx++
		return d.lastIdx
	}
	d.lastIdx = d.ptsToIndex(ts)
	return d.lastIdx
}

// ptsToIndex maps a timestamp in the stream's time base to the nearest frame
// index at the stream's frame rate.
func (d *Decoder) ptsToIndex(ts int64) int {
	tb := d.st.TimeBase()
	num := (ts - d.startPTS) * int64(tb.Num()) * int64(d.info.FrameRateNum)
	den := int64(tb.Den()) * int64(d.info.FrameRateDen)
	if num >= 0 {
		return int((2*num + den) / (2 * den))
	}
	return -int((-2*num + den) / (2 * den))
}

// seekPTS is a timestamp, in the stream's time base, half a frame after
// frame n's nominal one: at or after frame n's actual (rounded) timestamp
// and before frame n+1's, so that a backward seek to it finds the last
// keyframe at or before frame n.
func (d *Decoder) seekPTS(n int) int64 {
	tb := d.st.TimeBase()
	num := int64(2*n+1) * int64(tb.Den()) * int64(d.info.FrameRateDen)
	den := 2 * int64(tb.Num()) * int64(d.info.FrameRateNum)
	return d.startPTS + num/den
}

// resetDemux forgets end-of-stream state after a seek or rewind.
func (d *Decoder) resetDemux() {
	d.demuxDone, d.readErr, d.done, d.expected, d.pending = false, nil, nil, 0, false
	d.end, d.takenPos, d.firstBad, d.firstDamaged = demuxEnd{}, nil, -1, -1
}

// rewind reopens the input so that decoding starts again at its first
// packet (for inputs that cannot seek).
func (d *Decoder) rewind() error {
	if d.cc != nil {
		d.cc.Free()
		d.cc = nil
	}
	closeInput(d.fc, d.cio)
	d.fc, d.cio, d.st = nil, nil, nil
	d.resetDemux()
	d.frames, d.packets = 0, 0
	d.lastIdx = -1
	return d.openStreams()
}

// SeekFrame positions a freshly opened decoder so that the following Reads
// return frames from a keyframe at or before frame n (in presentation
// order, frame 0 being the first frame a full decode returns). It decodes
// the first frame to learn frame 0's timestamp, seeks backward on the video
// stream to frame n's timestamp, and checks that the first frame decoded
// there is a keyframe at or before n, backing off to earlier keyframes when
// it is not. Inputs without timestamps (raw Annex-B) or that cannot seek
// are decoded from the start. It reports whether a seek was used.
// FrameIndex tells the index of each frame Read returns.
func (d *Decoder) SeekFrame(n int) (bool, error) {
	if d.frames != 0 || d.pending {
		return false, errors.New("SeekFrame on a decoder that has already decoded")
	}
	if err := d.Read(); err != nil {
		return false, err
	}
	d.pending = true
	ts := bestEffortTimestamp(d.cur)
	noTS := d.fc.InputFormat() != nil && d.fc.InputFormat().Flags().Has(astiav.IOFormatFlagNotimestamps)
	if ts == astiav.NoPtsValue || noTS || d.info.FrameRateNum <= 0 || d.info.FrameRateDen <= 0 {
		return false, nil // count frames from the start
	}
	d.usePTS, d.startPTS, d.lastIdx = true, ts, 0
	if n <= 0 {
		return false, nil
	}
	target := n
	for try := 0; try < maxSeekTries && target > 0; try++ {
		if err := d.fc.SeekFrame(d.st.Index(), d.seekPTS(target), astiav.NewSeekFlags(astiav.SeekFlagBackward)); err != nil {
			break
		}
		flushDecoder(d.cc)
		d.resetDemux()
		if err := d.Read(); err != nil {
			break
		}
		idx := d.frameIndex()
		if idx <= n && idx >= 0 && d.cur.KeyFrame() {
			d.pending = true
			return true, nil
		}
		target = min(target, idx) - 1
	}
	if err := d.rewind(); err != nil {
		return false, err
	}
	return false, nil
}

// ChunkConfig selects the frames EncodeChunk encodes.
type ChunkConfig struct {
	Start, Frames int
	// Conceal replaces frames that fail to decode with the previous good
	// frame; otherwise encoding stops at the first failure while decoding
	// goes on to list every failed frame of the chunk.
	Conceal bool
	// Progress is called with the number of frames encoded so far.
	Progress func(done int)
	// Cancelled returns non-nil to stop (ctx.Err).
	Cancelled func() error
}

// ChunkResult is what EncodeChunk found.
type ChunkResult struct {
	Failed    []int // frames that did not decode (missing or flagged corrupt)
	Concealed []int // frames replaced by the previous good frame
	Encoded   int   // frames handed to each encoder
	Decoded   int   // frames decoded, including those before Start
}

// EncodeChunk decodes frames [Start, Start+Frames) from d, positioned with
// SeekFrame, and hands them to every encoder with PTS 0, 1, …; the first
// is forced to be a keyframe. Frames before Start are dropped. A frame is
// failed when its timestamp never comes out of the decoder (its packet did
// not decode), when the decoder flags it corrupt, or, when frames are
// counted rather than timed, for each decode error. When the stream ends
// before the chunk's last frame, the error wraps ErrTruncated if the
// input's bytes ran out before frames its container announces; otherwise
// the rest of the chunk is failed if the last packets did not decode, and
// else the error wraps ErrCorrupt if the container lists every announced
// packet inside the input, ErrSettings if not (a range past the stream's
// end). It does not finish the encoders.
func EncodeChunk(d *Decoder, encs []*RungEncoder, cfg ChunkConfig) (res ChunkResult, err error) {
	end := cfg.Start + cfg.Frames
	held := astiav.AllocFrame()
	if held == nil {
		return res, errors.New("allocating frame failed")
	}
	defer held.Free()
	hasHeld := false
	hold := func() error {
		held.Unref()
		if err := held.Ref(d.cur); err != nil {
			return fmt.Errorf("referencing frame: %w", err)
		}
		hasHeld = true
		return nil
	}
	encoding := true
	emit := func(f *astiav.Frame) error {
		if encoding {
			for _, e := range encs {
				if err := e.encodeFrame(f, int64(res.Encoded), res.Encoded == 0); err != nil {
					return err
				}
			}
		}
		res.Encoded++
		if cfg.Progress != nil && res.Encoded%8 == 0 {
			cfg.Progress(res.Encoded)
		}
		return nil
	}
	waiting := 0 // failed frames to conceal with the next good one
	fail := func(idx int) error {
		res.Failed = append(res.Failed, idx)
		if !cfg.Conceal {
			encoding = false
			res.Encoded++
			return nil
		}
		res.Concealed = append(res.Concealed, idx)
		if hasHeld {
			return emit(held)
		}
		waiting++
		return nil
	}
	next := cfg.Start
	errsSeen := d.decodeErrs
	for next < end {
		if cfg.Cancelled != nil {
			if err := cfg.Cancelled(); err != nil {
				return res, err
			}
		}
		if err := d.Read(); err != nil {
			lost := d.decodeErrs > errsSeen
			ended := errors.Is(err, io.EOF) || errors.Is(err, ErrTruncated) || errors.Is(err, ErrInvalidData)
			n := d.info.FrameCount
			announced := d.info.FrameCountFromContainer && end <= n
			if ended && announced && d.endsEarly(n) {
				return res, fmt.Errorf("%w: the input ends before frame %d of the chunk's %d–%d (%d frames announced)", ErrTruncated, next, cfg.Start, end-1, n)
			}
			if (ended || errors.Is(err, ErrCorrupt)) && lost {
				// The last packets did not decode: the rest of the chunk
				// failed.
				for ; next < end; next++ {
					if err := fail(next); err != nil {
						return res, err
					}
				}
				break
			}
			if errors.Is(err, io.EOF) {
				if _, _, listed := d.indexCut(n); announced && listed {
					// The container lists every announced packet inside
					// the input, yet the stream ended: packets were lost.
					return res, fmt.Errorf("%w: frame %d (presentation order) failed to decode: the stream ends inside the input, before the chunk's last frame %d (%d frames announced)", ErrCorrupt, next, end-1, n)
				}
				return res, fmt.Errorf("%w: the input ends after frame %d, before the chunk's last frame %d", ErrSettings, next-1, end-1)
			}
			return res, err
		}
		res.Decoded++
		if !d.usePTS {
			// Counted frames: assume each decode error lost one frame
			// before this one, so that the gap marks it failed.
			d.frames += d.decodeErrs - errsSeen
		}
		errsSeen = d.decodeErrs
		idx := d.frameIndex()
		damaged := frameDamaged(d.cur)
		if idx < next {
			if idx < cfg.Start && !damaged {
				if err := hold(); err != nil {
					return res, err
				}
			}
			continue // before the chunk, or a repeated timestamp
		}
		for ; next < idx && next < end; next++ { // never came out of the decoder
			if err := fail(next); err != nil {
				return res, err
			}
		}
		if next >= end {
			break
		}
		if damaged {
			err = fail(next)
		} else {
			if err = hold(); err == nil {
				for ; waiting > 0 && err == nil; waiting-- {
					err = emit(held)
				}
				if err == nil {
					err = emit(d.cur)
				}
			}
		}
		if err != nil {
			return res, err
		}
		next++
	}
	if waiting > 0 {
		return res, fmt.Errorf("%w: no frame of the chunk decoded, nothing to conceal frames %v with", ErrInvalidData, res.Failed)
	}
	return res, nil
}
