package encoder

import (
	"fmt"
	"os"
	"time"

	"github.com/reel-video/reel/encoder/internal/av"
	"github.com/reel-video/reel/store/wholefile"
)

// checkRungs validates rungs and their output paths (non-empty, distinct).
func checkRungs(input string, rungs []RungSpec, outputPath func(RungSpec) string) ([]string, error) {
	if len(rungs) == 0 {
		return nil, fmt.Errorf("encoder: encode %s: %w: no rungs", input, ErrInvalidSettings)
	}
	if outputPath == nil {
		return nil, fmt.Errorf("encoder: encode %s: %w: no OutputPath", input, ErrInvalidSettings)
	}
	paths := make([]string, len(rungs))
	seen := map[string]bool{}
	for i, r := range rungs {
		if err := validateRung(r); err != nil {
			return nil, fmt.Errorf("encoder: encode %s: %w", input, err)
		}
		paths[i] = outputPath(r)
		if paths[i] == "" || seen[paths[i]] {
			return nil, fmt.Errorf("encoder: encode %s: %w: rung %q: empty or duplicate output path %q", input, ErrInvalidSettings, r.ID, paths[i])
		}
		seen[paths[i]] = true
	}
	return paths, nil
}

// rungWriter is one rung being encoded to a temporary file beside its
// final path.
type rungWriter struct {
	spec      RungSpec
	w, h      int
	path, tmp string
	enc       *av.RungEncoder
	busy      time.Duration
}

// rungSet is the rungs of one decode pass.
type rungSet struct {
	input string
	rungs []*rungWriter
}

// openRungs creates a temporary file and an encoder for every rung.
// Call close whatever happens.
func openRungs(input string, dec *av.Decoder, specs []RungSpec, paths []string) (*rungSet, error) {
	s := &rungSet{input: input}
	src := streamInfo(dec.Info())
	for i, spec := range specs {
		r := &rungWriter{spec: spec, path: paths[i]}
		s.rungs = append(s.rungs, r)
		r.w, r.h = evenSize(spec, src)
		var err error
		if r.tmp, err = wholefile.TempPath(r.path); err != nil {
			return s, fmt.Errorf("encoder: encode %s: rung %q: %w", input, spec.ID, err)
		}
		r.enc, err = av.NewRungEncoder(dec, rungConfig(spec, r.tmp, r.w, r.h))
		if err != nil {
			return s, fmt.Errorf("encoder: encode %s: rung %q: %w", input, spec.ID, mapErr(r.path, err))
		}
	}
	return s, nil
}

func (s *rungSet) encoders() []*av.RungEncoder {
	encs := make([]*av.RungEncoder, len(s.rungs))
	for i, r := range s.rungs {
		encs[i] = r.enc
	}
	return encs
}

// finish flushes every encoder, checks that each wrote frames frames and
// describes the outputs (still under their temporary names).
func (s *rungSet) finish(frames int, fps float64, alive func()) ([]RungOutput, error) {
	if fps <= 0 {
		fps = 25
	}
	out := make([]RungOutput, 0, len(s.rungs))
	for _, r := range s.rungs {
		t := time.Now()
		if err := r.enc.Finish(); err != nil {
			return nil, fmt.Errorf("encoder: encode %s: rung %q: %w", s.input, r.spec.ID, mapErr(r.path, err))
		}
		r.busy += time.Since(t)
		if alive != nil {
			alive() // flushing many encoders' look-ahead takes a while
		}
		if n := r.enc.Frames(); n != frames {
			return nil, fmt.Errorf("encoder: encode %s: rung %q: wrote %d frames for %d decoded", s.input, r.spec.ID, n, frames)
		}
		fi, err := os.Stat(r.tmp)
		if err != nil {
			return nil, fmt.Errorf("encoder: encode %s: rung %q: %w", s.input, r.spec.ID, err)
		}
		dur := float64(frames) / fps
		out = append(out, RungOutput{
			ID: r.spec.ID, Path: r.path, Width: r.w, Height: r.h, Codec: codecName(r.spec.Codec), BitDepth: max(r.spec.BitDepth, 8),
			Frames: frames, Bytes: fi.Size(), DurationSec: dur,
			BitrateKbps:   float64(fi.Size()) * 8 / dur / 1000,
			EncodeSeconds: r.busy.Seconds(),
		})
	}
	return out, nil
}

// publish renames every temporary file to its final path; on error it
// removes the files already renamed.
func (s *rungSet) publish() error {
	for _, r := range s.rungs {
		if err := os.Rename(r.tmp, r.path); err != nil {
			for _, q := range s.rungs {
				os.Remove(q.path)
			}
			return fmt.Errorf("encoder: encode %s: rung %q: %w", s.input, r.spec.ID, err)
		}
		r.tmp = ""
	}
	return nil
}

// close frees the encoders and removes temporary files left behind.
func (s *rungSet) close() {
	for _, r := range s.rungs {
		if r.enc != nil {
			r.enc.Close()
		}
		if r.tmp != "" {
			os.Remove(r.tmp)
		}
	}
}
