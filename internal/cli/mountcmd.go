package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/reel-video/reel/mezzfs"
	"github.com/reel-video/reel/mezzfs/fusefs"
)

// storeOptions are the flags of commands that open s3:// URIs. Credentials
// come from the standard AWS environment variables or credentials file and
// are never printed.
type storeOptions struct {
	// Endpoint of an S3-compatible server (default $AWS_ENDPOINT_URL).
	Endpoint string
	// Region (default $AWS_REGION).
	Region string
	// PathStyle forces path-style requests.
	PathStyle bool
}

func (o *storeOptions) register(fs *pflag.FlagSet) {
	fs.StringVar(&o.Endpoint, "s3-endpoint", "", "S3 endpoint, host:port or URL (default $AWS_ENDPOINT_URL)")
	fs.StringVar(&o.Region, "s3-region", "", "S3 region (default $AWS_REGION, else us-east-1)")
	fs.BoolVar(&o.PathStyle, "s3-path-style", false, "path-style S3 requests (local servers; the default for non-AWS endpoints)")
}

func (o *storeOptions) mezzfs() mezzfs.Options {
	return mezzfs.Options{S3: mezzfs.S3Options{Endpoint: o.Endpoint, Region: o.Region, PathStyle: o.PathStyle}}
}

type mountOptions struct {
	store storeOptions
	// Record writes the read trace (JSON lines) to this file.
	Record string
	// Stats prints the read statistics as JSON on stderr at the end.
	Stats bool
	// DirectIO bypasses the kernel page cache (fusefs.Options.DirectIO).
	DirectIO bool
}

func newMountCmd(env *Env) *cobra.Command {
	var o mountOptions
	cmd := &cobra.Command{
		Use:   "mount URI MOUNTPOINT",
		Short: "mount an object-store prefix read-only (FUSE) through mezzfs",
		Long: `Mount an object-store prefix (s3://bucket/prefix, or a directory) on
MOUNTPOINT as read-only files through mezzfs (FUSE): reads become ranged
GETs, never a whole-object download. Ctrl-C unmounts. --record writes the
read trace for reel mezzfs replay.`,
		Example: `  reel mount s3://mezz/ /mnt/mezz --record trace.jsonl --stats`,
		Args:    positional(2, 2, "URI MOUNTPOINT"),
	}
	cmd.RunE = runE(func(ctx context.Context, args []string) int {
		if !cmd.Flags().Changed("direct-io") {
			o.DirectIO = fusefs.DirectIOKeepsMmap()
		}
		return runMount(ctx, env, &o, args)
	})
	fs := cmd.Flags()
	o.store.register(fs)
	fs.StringVar(&o.Record, "record", "", "write the read trace (offset, length, time; JSON lines) to `file`, for reel mezzfs replay")
	fs.BoolVar(&o.Stats, "stats", false, "print read statistics as JSON on stderr when unmounted")
	// The default depends on the kernel: applied when the flag is not
	// given, so that the help and docs/cli do not.
	fs.BoolVar(&o.DirectIO, "direct-io", false, "bypass the kernel page cache: faster large sequential reads, nothing cached across opens; default on where mmap still works (Linux 6.6+)")
	return cmd
}

func runMount(ctx context.Context, env *Env, o *mountOptions, pos []string) int {
	uri, mnt := pos[0], pos[1]
	if !strings.HasSuffix(uri, "/") {
		uri += "/" // a prefix: mount the "directory"
	}
	store, prefix, err := mezzfs.Open(ctx, uri, o.store.mezzfs())
	if err != nil {
		printErr(env, "mount", err)
		return exitFailed
	}
	opts := fusefs.Options{DirectIO: o.DirectIO}
	if o.Record != "" {
		f, err := os.Create(o.Record)
		if err != nil {
			printErr(env, "mount", err)
			return exitFailed
		}
		defer f.Close()
		opts.Record = f
	}
	// Reads outlive the signal context: unmount first, then stop reading.
	m, err := fusefs.Mount(context.WithoutCancel(ctx), store, prefix, mnt, opts)
	if err != nil {
		printErr(env, "mount", err)
		return exitFailed
	}
	fmt.Fprintf(env.Stderr, "reel mount: %s on %s (read-only); Ctrl-C unmounts\n", pos[0], mnt)
	<-ctx.Done()
	if err := m.Unmount(); err != nil {
		printErr(env, "mount", fmt.Errorf("unmount %s: %w", mnt, err))
		return exitFailed
	}
	fmt.Fprintf(env.Stderr, "reel mount: unmounted %s\n", mnt)
	if o.Stats {
		printStats(env, m.Stats())
	}
	return exitOK
}

// printStats prints read statistics as one JSON line on stderr.
func printStats(env *Env, s mezzfs.Stats) {
	b, _ := json.Marshal(s)
	fmt.Fprintf(env.Stderr, "%s\n", b)
}

type replayOptions struct {
	store storeOptions
	// From is the object (URI) the trace is replayed against.
	From string
}

func newMezzfsCmd(env *Env) *cobra.Command {
	var o replayOptions
	replay := &cobra.Command{
		Use:   "replay TRACE --from URI",
		Short: "replay a read trace (reel mount --record) against an object, print request/byte stats",
		Long: `Replay the reads of a trace recorded by reel mount --record against an
object (--from) through mezzfs, and print the requests, bytes fetched,
cache hits and read amplification as JSON.`,
		Args: positional(1, 1, "TRACE"),
		RunE: runE(func(ctx context.Context, args []string) int { return runReplay(ctx, env, &o, args) }),
	}
	fs := replay.Flags()
	o.store.register(fs)
	fs.StringVar(&o.From, "from", "", "object `URI` to replay the reads against (s3://bucket/key or a path)")
	return groupCmd("mezzfs", "mezzfs tools: replay a recorded read trace", "mezzfs tools: replay a read trace recorded by reel mount --record.", replay)
}

func runReplay(ctx context.Context, env *Env, o *replayOptions, pos []string) int {
	if o.From == "" {
		fmt.Fprintln(env.Stderr, "reel mezzfs replay: --from is required")
		return exitUsage
	}
	f, err := os.Open(pos[0])
	if err != nil {
		printErr(env, "mezzfs replay", err)
		return exitFailed
	}
	defer f.Close()
	store, key, err := mezzfs.Open(ctx, o.From, o.store.mezzfs())
	if err != nil {
		printErr(env, "mezzfs replay", err)
		return exitFailed
	}
	st, err := mezzfs.Replay(ctx, store, key, f)
	if err != nil {
		printErr(env, "mezzfs replay", err)
		return exitFailed
	}
	b, _ := json.MarshalIndent(st, "", "  ")
	fmt.Fprintf(env.Stdout, "%s\n", b)
	return exitOK
}
