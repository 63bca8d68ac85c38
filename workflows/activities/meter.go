package activities

import (
	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/mezzfs"
)

// Meter counts the work activities do, for a worker's metrics
// (metrics.Metrics is one). Activities.Meter nil counts nothing.
type Meter interface {
	// FramesDecoded counts n video frames decoded (a source's, a chunk's
	// or a rung's being scored).
	FramesDecoded(n int)
	// FramesEncoded counts n frames encoded with codec (media's codec
	// name: h264, hevc, vp9, av1) in seconds of wall time.
	FramesEncoded(codec string, n int, seconds float64)
	// FramesScored counts n frames scored with VMAF (per rung or trial).
	FramesScored(n int)
	// StoreWrite counts one file of bytes written whole to an output
	// location.
	StoreWrite(bytes int64)
	// StoreRead adds a closed mezzfs reader's counters.
	StoreRead(st mezzfs.Stats)
}

type noMeter struct{}

func (noMeter) FramesDecoded(int)                  {}
func (noMeter) FramesEncoded(string, int, float64) {}
func (noMeter) FramesScored(int)                   {}
func (noMeter) StoreWrite(int64)                   {}
func (noMeter) StoreRead(mezzfs.Stats)             {}

// meter is a.Meter, or one that counts nothing.
func (a *Activities) meter() Meter {
	if a.Meter == nil {
		return noMeter{}
	}
	return a.Meter
}

// countEncoded counts the frames of outs (encoded from specs, matched by
// ID, in seconds: the pass's wall time when an output has none of its own)
// under their codec's name.
func (a *Activities) countEncoded(specs []media.RungSpec, outs []media.RungOutput, seconds float64) {
	m := a.meter()
	for _, o := range outs {
		codec := o.Codec
		if codec == "" {
			for _, s := range specs {
				if s.ID == o.ID {
					codec = s.Codec
				}
			}
		}
		if vc, ok := media.LookupVideoCodec(codec); ok {
			codec = vc.Name
		}
		secs := seconds
		if o.EncodeSeconds > 0 {
			secs = o.EncodeSeconds
		}
		m.FramesEncoded(codec, o.Frames, secs)
	}
}
