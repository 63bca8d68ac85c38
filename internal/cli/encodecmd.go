package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/reel-video/reel/encoder"
	"github.com/reel-video/reel/media"
)

// encodeOptions are the flags of `reel encode`: one chunk of a source to
// one rung, exactly as the EncodeChunk activity encodes it.
type encodeOptions struct {
	// Start is the chunk's first frame; Frames how many (0: to the end).
	Start, Frames int
	// Rung is the output size, WIDTHxHEIGHT (one side 0 keeps the aspect).
	Rung string
	// Codec: h264, hevc, vp9 or av1.
	Codec string
	// CRF, or capped VBR with Bitrate/Maxrate/Bufsize (kbit/s).
	CRF                       float64
	Bitrate, Maxrate, Bufsize int
	// Preset, Profile and BitDepth of the encode.
	Preset, Profile string
	BitDepth        int
	// GOP is the keyframe interval in frames (0: the codec chooses).
	GOP int
	// Threads of the encoder (0: libav's default).
	Threads int
	// Conceal repeats the previous frame for frames that fail to decode.
	Conceal bool
	// Out is the output file (.mp4, or .webm for vp9/av1).
	Out string
	io  ioOptions
}

// encodeSummary is what `reel encode` prints.
type encodeSummary struct {
	Input      string         `json:"input"`
	StartFrame int            `json:"start_frame"`
	Frames     int            `json:"frames"`
	Settings   media.RungSpec `json:"settings"`
	Output     string         `json:"output"`
	Width      int            `json:"width"`
	Height     int            `json:"height"`
	Codec      string         `json:"codec"`
	BitDepth   int            `json:"bit_depth"`
	Bytes      int64          `json:"bytes"`
	// BitrateKbps and DurationSec are at the source frame rate.
	BitrateKbps   float64 `json:"bitrate_kbps"`
	DurationSec   float64 `json:"duration_seconds"`
	EncodeSeconds float64 `json:"encode_seconds"`
	Concealed     []int   `json:"concealed,omitempty"`
	Seeked        bool    `json:"seeked"`
	DecodedFrames int     `json:"decoded_frames"`
}

func newEncodeCmd(env *Env) *cobra.Command {
	var o encodeOptions
	cmd := &cobra.Command{
		Use:   "encode INPUT",
		Short: "encode one chunk of a source to one rung, as the pipeline does (to reproduce it)",
		Long: `Encode one chunk of INPUT (--start, --frames) to one rung (--rung, codec
and rate control) exactly as the EncodeChunk activity encodes it, and print
a JSON summary: to reproduce or study one encode of a title.`,
		Example: `  reel encode master.mov --start 240 --frames 120 --rung 1280x720 --crf 23 --out c.mp4
  reel encode master.mov --rung 0x540 --codec vp9 --bitrate 1500 --out c.webm`,
		Args: positional(1, 1, "INPUT"),
	}
	cmd.RunE = runE(func(ctx context.Context, args []string) int {
		return runEncode(ctx, env, &o, changed(cmd.Flags()), args)
	})
	fs := cmd.Flags()
	fs.IntVar(&o.Start, "start", 0, "first `frame` of the chunk (index in presentation order)")
	fs.IntVar(&o.Frames, "frames", 0, "number of frames `N` to encode (0: to the end)")
	fs.StringVar(&o.Rung, "rung", "", "output size `WIDTHxHEIGHT` (even; one side 0 keeps the display aspect)")
	fs.StringVar(&o.Codec, "codec", "h264", "video codec `NAME`: "+strings.Join(media.VideoCodecNames, ", "))
	fs.Float64Var(&o.CRF, "crf", 0, "constant quality `Q` (h264/hevc 0–51, vp9 0–63, av1 1–63; default 23 without --bitrate)")
	fs.IntVar(&o.Bitrate, "bitrate", 0, "capped VBR target in `kbit/s` (instead of --crf)")
	fs.IntVar(&o.Maxrate, "maxrate", 0, "VBR cap in `kbit/s` (default 1.5 × --bitrate)")
	fs.IntVar(&o.Bufsize, "bufsize", 0, "VBV buffer in `kbit` (default 2 × --maxrate)")
	fs.StringVar(&o.Preset, "preset", "", "encoder `preset` (ultrafast … placebo; vp9 0–8, av1 0–13; default medium)")
	fs.StringVar(&o.Profile, "profile", "", "codec `profile` (h264 high, high10, …; hevc main, main10, …)")
	fs.IntVar(&o.BitDepth, "bit-depth", 8, "output bit `depth`: 8 or 10")
	fs.IntVar(&o.GOP, "gop", 0, "keyframe interval in `frames`, closed GOPs (0: the codec chooses)")
	fs.IntVar(&o.Threads, "threads", 0, "encoder `threads` (0: libav's default)")
	fs.BoolVar(&o.Conceal, "conceal", false, "repeat the previous frame for frames that fail to decode instead of failing")
	fs.StringVar(&o.Out, "out", "", "output `file` (.mp4; .webm for vp9/av1)")
	o.io.register(fs)
	return cmd
}

// changed is the set of flags given on the command line.
func changed(fs *pflag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *pflag.Flag) { set[f.Name] = true })
	return set
}

func runEncode(ctx context.Context, env *Env, o *encodeOptions, set map[string]bool, pos []string) int {
	rd := &o.io
	ctx = rd.context(ctx)
	defer rd.print(env)
	spec, err := o.spec(set)
	if err != nil {
		fmt.Fprintf(env.Stderr, "reel encode: %v\n", err)
		return exitUsage
	}
	sum, err := encodeOne(ctx, pos[0], o, spec)
	if err != nil {
		printErr(env, "encode", err)
		if ctx.Err() != nil {
			return exitInterrupted
		}
		return exitFailed
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(sum); err != nil {
		printErr(env, "encode", err)
		return exitFailed
	}
	return exitOK
}

// errUsage marks flag errors.
var errUsage = errors.New("usage")

// spec checks the flags and turns them into the rung to encode. Codec
// specific ranges are the encoder's to check (they live in package media).
func (o *encodeOptions) spec(set map[string]bool) (media.RungSpec, error) {
	bad := func(format string, a ...any) (media.RungSpec, error) {
		return media.RungSpec{}, fmt.Errorf("%s: %w", fmt.Sprintf(format, a...), errUsage)
	}
	switch {
	case o.Out == "":
		return bad("--out is required")
	case o.Rung == "":
		return bad("--rung WIDTHxHEIGHT is required")
	case o.Start < 0:
		return bad("--start %d is negative", o.Start)
	case o.Frames < 0:
		return bad("--frames %d is negative", o.Frames)
	case set["crf"] && (set["bitrate"] || set["maxrate"] || set["bufsize"]):
		return bad("--crf excludes --bitrate, --maxrate and --bufsize")
	case set["crf"] && o.CRF <= 0:
		return bad("--crf %g must be positive", o.CRF)
	case (set["maxrate"] || set["bufsize"]) && !set["bitrate"]:
		return bad("--maxrate and --bufsize need --bitrate")
	case set["bitrate"] && o.Bitrate <= 0:
		return bad("--bitrate %d must be positive", o.Bitrate)
	case o.Maxrate < 0 || o.Bufsize < 0:
		return bad("--maxrate and --bufsize must not be negative")
	case set["bitrate"] && set["maxrate"] && o.Maxrate < o.Bitrate:
		return bad("--maxrate %d below --bitrate %d", o.Maxrate, o.Bitrate)
	case o.BitDepth != 8 && o.BitDepth != 10:
		return bad("--bit-depth %d (want 8 or 10)", o.BitDepth)
	case o.GOP < 0 || o.Threads < 0:
		return bad("--gop and --threads must not be negative")
	}
	if _, ok := media.LookupVideoCodec(o.Codec); !ok || o.Codec == "" {
		return bad("--codec %q (want %s)", o.Codec, strings.Join(media.VideoCodecNames, ", "))
	}
	w, h, err := parseSize(o.Rung)
	if err != nil {
		return bad("--rung %q: %v", o.Rung, err)
	}
	s := media.RungSpec{
		ID: strings.TrimSuffix(filepath.Base(o.Out), filepath.Ext(o.Out)), Width: w, Height: h, Codec: o.Codec,
		Preset: o.Preset, Profile: o.Profile, BitDepth: o.BitDepth, GOPFrames: o.GOP, Threads: o.Threads,
	}
	if set["bitrate"] {
		s.BitrateKbps, s.MaxrateKbps, s.BufsizeKbps = o.Bitrate, o.Maxrate, o.Bufsize
		if s.MaxrateKbps == 0 {
			s.MaxrateKbps = s.BitrateKbps * 3 / 2
		}
		if s.BufsizeKbps == 0 {
			s.BufsizeKbps = 2 * s.MaxrateKbps
		}
	} else {
		s.CRF = o.CRF
		if s.CRF == 0 {
			s.CRF = 23
		}
	}
	return s, nil
}

// parseSize parses WIDTHxHEIGHT: even, not negative, not both 0.
func parseSize(s string) (int, int, error) {
	ws, hs, ok := strings.Cut(strings.ToLower(s), "x")
	if !ok {
		return 0, 0, errors.New("want WIDTHxHEIGHT, e.g. 1280x720")
	}
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	switch {
	case err1 != nil || err2 != nil:
		return 0, 0, errors.New("want WIDTHxHEIGHT, e.g. 1280x720")
	case w < 0 || h < 0 || (w == 0 && h == 0):
		return 0, 0, errors.New("width and height must be positive (one may be 0 to keep the aspect)")
	case w%2 != 0 || h%2 != 0:
		return 0, 0, errors.New("width and height must be even (4:2:0)")
	case w > 16384 || h > 16384:
		return 0, 0, errors.New("larger than 16384")
	}
	return w, h, nil
}

// encodeOne encodes the chunk to o.Out.
func encodeOne(ctx context.Context, input string, o *encodeOptions, spec media.RungSpec) (encodeSummary, error) {
	frames := o.Frames
	if frames == 0 {
		info, err := encoder.Probe(ctx, input, media.ProbeOptions{})
		if err != nil {
			return encodeSummary{}, err
		}
		v := info.Video()
		if v == nil {
			return encodeSummary{}, fmt.Errorf("%s: %w", input, encoder.ErrNoVideo)
		}
		if frames = v.FrameCount - o.Start; frames <= 0 {
			return encodeSummary{}, fmt.Errorf("%s: %w: --start %d is past the input's %d frames", input, encoder.ErrInvalidSettings, o.Start, v.FrameCount)
		}
	}
	out, err := filepath.Abs(o.Out)
	if err != nil {
		return encodeSummary{}, err
	}
	t0 := time.Now()
	res, err := encoder.EncodeChunk(ctx, input, encoder.ChunkOptions{
		StartFrame: o.Start, Frames: frames, Rungs: []media.RungSpec{spec}, Conceal: o.Conceal,
		OutputPath: func(media.RungSpec) string { return out },
	})
	if err != nil {
		return encodeSummary{}, err
	}
	r := res.Rungs[0]
	return encodeSummary{
		Input: input, StartFrame: res.StartFrame, Frames: res.Frames, Settings: spec, Output: r.Path,
		Width: r.Width, Height: r.Height, Codec: r.Codec, BitDepth: r.BitDepth, Bytes: r.Bytes,
		BitrateKbps: r.BitrateKbps, DurationSec: r.DurationSec, EncodeSeconds: time.Since(t0).Seconds(),
		Concealed: res.Concealed, Seeked: res.Seeked, DecodedFrames: res.DecodedFrames,
	}, nil
}
