package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/spf13/pflag"

	"github.com/reel-video/reel/encoder"
	"github.com/reel-video/reel/mezzfs"
)

// ioOptions are the flags of commands whose inputs libav reads through
// mezzfs (s3:// and file:// URIs): the store settings and --stats.
type ioOptions struct {
	store storeOptions
	// Stats prints the read statistics as JSON on stderr at the end. Plain
	// paths are then read through mezzfs too, so their reads count.
	Stats bool

	mu     sync.Mutex
	inputs map[string]mezzfs.Stats
}

func (o *ioOptions) register(fs *pflag.FlagSet) {
	o.store.register(fs)
	fs.BoolVar(&o.Stats, "stats", false, "print read statistics (requests, bytes fetched, cache hits, read amplification) as JSON on stderr at the end")
}

// context returns ctx carrying the encoder's IOOptions for these flags.
func (o *ioOptions) context(ctx context.Context) context.Context {
	opts := encoder.IOOptions{Store: o.store.mezzfs(), AllPaths: o.Stats}
	if o.Stats {
		opts.Stats = func(input string, st mezzfs.Stats) {
			o.mu.Lock()
			defer o.mu.Unlock()
			if o.inputs == nil {
				o.inputs = map[string]mezzfs.Stats{}
			}
			o.inputs[input] = o.inputs[input].Add(st)
		}
	}
	return encoder.WithIO(ctx, opts)
}

// ioStatsView is what --stats prints: the totals, then each input's.
type ioStatsView struct {
	mezzfs.Stats
	Inputs map[string]mezzfs.Stats `json:"inputs"`
}

// print writes the collected stats as one JSON line on stderr (with
// --stats).
func (o *ioOptions) print(env *Env) {
	if !o.Stats {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	v := ioStatsView{Inputs: map[string]mezzfs.Stats{}}
	for in, st := range o.inputs {
		v.Stats = v.Stats.Add(st)
		v.Inputs[in] = st
	}
	b, _ := json.Marshal(v)
	fmt.Fprintf(env.Stderr, "%s\n", b)
}

// openRaw opens an input the command reads itself (y4m, raw yuv): a URI
// (or any path with --stats) through a mezzfs.Reader whose stats go to the
// context's IOOptions when closed, a plain path as a file.
func openRaw(ctx context.Context, path string) (io.ReadCloser, error) {
	opts := encoder.IOFromContext(ctx)
	if !strings.Contains(path, "://") && !opts.AllPaths {
		return os.Open(path)
	}
	store, key, err := mezzfs.Open(ctx, path, opts.Store)
	if err != nil {
		return nil, err
	}
	r, err := mezzfs.NewReader(ctx, store, key, opts.Reader)
	if err != nil {
		return nil, err
	}
	return &statsReader{Reader: r, input: path, report: opts.Stats}, nil
}

type statsReader struct {
	*mezzfs.Reader
	input  string
	report func(string, mezzfs.Stats)
}

func (s *statsReader) Close() error {
	err := s.Reader.Close()
	if s.report != nil {
		s.report(s.input, s.Reader.Stats())
		s.report = nil
	}
	return err
}
