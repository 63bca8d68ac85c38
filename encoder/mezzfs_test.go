package encoder

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/reel-video/reel/internal/mediatest"
	"github.com/reel-video/reel/mezzfs"
	"github.com/reel-video/reel/mezzfs/mezzfstest"
)

// The versitygw server of this package's S3 tests, started by the first
// test that needs it and killed with the test binary.
var (
	s3Once   sync.Once
	s3Server *mezzfstest.Server
	s3Reason error
)

// s3 returns the running server, skipping t when versitygw cannot be
// installed or started.
func s3(t testing.TB) *mezzfstest.Server {
	t.Helper()
	s3Once.Do(func() {
		dir, err := os.MkdirTemp("", "encoder-versitygw-")
		if err != nil {
			s3Reason = err
			return
		}
		s3Server, s3Reason = mezzfstest.Start(dir)
		if s3Server == nil {
			os.RemoveAll(dir)
		}
	})
	return mezzfstest.Require(t, s3Server, s3Reason)
}

// s3Upload puts local files into a new bucket and returns their s3:// URIs.
func s3Upload(t testing.TB, srv *mezzfstest.Server, bucket string, files map[string]string) map[string]string {
	t.Helper()
	ctx := context.Background()
	st, err := mezzfs.NewS3Store(ctx, bucket, srv.Options())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.MakeBucket(ctx); err != nil {
		t.Fatal(err)
	}
	uris := map[string]string{}
	for key, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := f.Stat()
		err = st.Put(ctx, key, f, fi.Size())
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		uris[key] = "s3://" + bucket + "/" + key
	}
	return uris
}

// s3Ctx is a context whose IOOptions point at srv; stats, when not nil,
// receives the reads' stats.
func s3Ctx(srv *mezzfstest.Server, stats *[]mezzfs.Stats) context.Context {
	o := IOOptions{Store: mezzfs.Options{S3: srv.Options()}}
	if stats != nil {
		var mu sync.Mutex
		o.Stats = func(_ string, st mezzfs.Stats) {
			mu.Lock()
			*stats = append(*stats, st)
			mu.Unlock()
		}
	}
	return WithIO(context.Background(), o)
}

// mezzanine1080 generates a short 1080p H.264 mezzanine with audio (GOP
// 1 s, moov at the end, so opening it seeks to the end of the object).
func mezzanine1080(t *testing.T, dir string) string {
	t.Helper()
	mediatest.Need(t)
	p := filepath.Join(dir, "mezz1080.mp4")
	mediatest.Clip(t, p, mediatest.ClipOptions{Size: "1920x1080", Rate: "25", Audio: mediatest.Tone, Duration: 4,
		PixFmt: "yuv420p", Codec: "libx264", Preset: "ultrafast", GOP: 25, AudioCodec: "aac", Shortest: true,
		Extra: mediatest.Args{"crf": "16", "keyint_min": "25", "x264-params": "scenecut=0"}})
	return p
}

// frameSums decodes input and returns every frame's hash.
func frameSums(t *testing.T, ctx context.Context, input string) []string {
	t.Helper()
	d, err := OpenDecoder(ctx, input, DecoderOptions{})
	if err != nil {
		t.Fatalf("OpenDecoder(%s): %v", input, err)
	}
	defer d.Close()
	var out []string
	for {
		f, err := d.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: Next after %d frames: %v", input, len(out), err)
		}
		out = append(out, sum(rawBytes(f)))
	}
}

func fileSum(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// TestS3SameAsLocal probes and decodes the real clip and a 1080p
// mezzanine through s3:// (and file://) and checks that SourceInfo
// (keyframes included) and every decoded frame are those of the local
// file, and that the reads went through mezzfs.
func TestS3SameAsLocal(t *testing.T) {
	srv := s3(t)
	dir := t.TempDir()
	mezz := mezzanine1080(t, dir)
	local := map[string]string{"clips/bbb.mp4": bbb, "mezz/mezz1080.mp4": mezz}
	uris := s3Upload(t, srv, "same", local)
	for key, path := range local {
		t.Run(filepath.Base(key), func(t *testing.T) {
			var stats []mezzfs.Stats
			ctx := s3Ctx(srv, &stats)
			want, err := Probe(context.Background(), path, ProbeOptions{Keyframes: true})
			if err != nil {
				t.Fatal(err)
			}
			abs, _ := filepath.Abs(path)
			for _, uri := range []string{uris[key], "file://" + abs} {
				got, err := Probe(ctx, uri, ProbeOptions{Keyframes: true})
				if err != nil {
					t.Fatalf("Probe(%s): %v", uri, err)
				}
				if got.URI != uri {
					t.Errorf("URI %q, want %q", got.URI, uri)
				}
				got.URI = want.URI
				if !reflect.DeepEqual(got, want) {
					t.Errorf("Probe(%s) =\n%+v\nwant\n%+v", uri, got, want)
				}
			}
			if len(stats) != 2 || stats[0].BytesFetched == 0 {
				t.Errorf("stats of the two probes: %+v", stats)
			}
			wantFrames := frameSums(t, context.Background(), path)
			gotFrames := frameSums(t, ctx, uris[key])
			if !reflect.DeepEqual(gotFrames, wantFrames) {
				t.Errorf("s3 decode: %d frames, local %d; or they differ", len(gotFrames), len(wantFrames))
			}
			if len(stats) != 3 {
				t.Fatalf("%d stats reports, want 3", len(stats))
			}
			fi, _ := os.Stat(path)
			if s := stats[2]; s.BytesFetched < fi.Size() || s.BytesFetched > fi.Size()+fi.Size()/5 {
				t.Errorf("full decode fetched %d bytes of a %d-byte object: %+v", s.BytesFetched, fi.Size(), s)
			}
		})
	}
}

// TestS3EncodeSameAsLocal runs EncodeLadder, EncodeChunk, EncodeAudio and
// OpenAudioDecoder on the real clip through s3:// and locally: the outputs
// are the same bytes.
func TestS3EncodeSameAsLocal(t *testing.T) {
	srv := s3(t)
	uri := s3Upload(t, srv, "encode", map[string]string{"bbb.mp4": bbb})["bbb.mp4"]
	var stats []mezzfs.Stats
	ctx := s3Ctx(srv, &stats)
	dir := t.TempDir()
	rung := RungSpec{ID: "r", Codec: "h264", Width: 160, Height: 90, CRF: 30, Preset: "ultrafast"}
	outIn := func(sub string) func(RungSpec) string {
		return func(r RungSpec) string { return filepath.Join(dir, sub, r.ID+".mp4") }
	}
	if _, err := EncodeLadder(context.Background(), bbb, LadderOptions{Rungs: []RungSpec{rung}, OutputPath: outIn("ladder-local")}); err != nil {
		t.Fatal(err)
	}
	if _, err := EncodeLadder(ctx, uri, LadderOptions{Rungs: []RungSpec{rung}, OutputPath: outIn("ladder-s3")}); err != nil {
		t.Fatal(err)
	}
	if a, b := fileSum(t, filepath.Join(dir, "ladder-local", "r.mp4")), fileSum(t, filepath.Join(dir, "ladder-s3", "r.mp4")); a != b {
		t.Errorf("EncodeLadder output differs through s3")
	}
	copt := func(sub string) ChunkOptions {
		return ChunkOptions{StartFrame: 40, Frames: 30, Rungs: []RungSpec{rung}, OutputPath: outIn(sub)}
	}
	cl, err := EncodeChunk(context.Background(), bbb, copt("chunk-local"))
	if err != nil {
		t.Fatal(err)
	}
	cs, err := EncodeChunk(ctx, uri, copt("chunk-s3"))
	if err != nil {
		t.Fatal(err)
	}
	if !cs.Seeked || cs.DecodedFrames != cl.DecodedFrames {
		t.Errorf("s3 chunk seeked %v decoded %d, local %v %d", cs.Seeked, cs.DecodedFrames, cl.Seeked, cl.DecodedFrames)
	}
	if a, b := fileSum(t, filepath.Join(dir, "chunk-local", "r.mp4")), fileSum(t, filepath.Join(dir, "chunk-s3", "r.mp4")); a != b {
		t.Errorf("EncodeChunk output differs through s3")
	}
	al, err := EncodeAudio(context.Background(), bbb, AudioSpec{Codec: "aac", Channels: 1}, filepath.Join(dir, "a-local.m4a"))
	if err != nil {
		t.Fatal(err)
	}
	as, err := EncodeAudio(ctx, uri, AudioSpec{Codec: "aac", Channels: 1}, filepath.Join(dir, "a-s3.m4a"))
	if err != nil {
		t.Fatal(err)
	}
	as.Path = al.Path
	if !reflect.DeepEqual(as, al) || fileSum(t, filepath.Join(dir, "a-local.m4a")) != fileSum(t, filepath.Join(dir, "a-s3.m4a")) {
		t.Errorf("EncodeAudio through s3: %+v, local %+v", as, al)
	}
	ad, err := OpenAudioDecoder(ctx, uri, AudioDecoderOptions{Channels: 1})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		p, err := ad.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n += len(p[0])
	}
	ad.Close()
	ad.Close()
	if n == 0 {
		t.Error("no audio samples through s3")
	}
	if len(stats) != 4 {
		t.Errorf("%d stats reports, want 4 (ladder, chunk, audio encode, audio decode): %+v", len(stats), stats)
	}
}

// TestS3BadInput: a missing key or bucket, an invalid URI, wrong
// credentials and a zero-byte object are bad input with the right
// sentinel at every entry point (the mezzfs cause still wrapped); a store
// that cannot be reached fails once retries are spent, retryable.
func TestS3BadInput(t *testing.T) {
	srv := s3(t)
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.mp4")
	os.WriteFile(empty, nil, 0o644)
	uris := s3Upload(t, srv, "bad", map[string]string{"bbb.mp4": bbb, "empty.mp4": empty})
	good := IOOptions{Store: mezzfs.Options{S3: srv.Options()}}
	wrongCreds := good
	wrongCreds.Store.S3.SecretKey = "not-the-secret"
	down := good
	down.Store.S3.Endpoint = "http://127.0.0.1:1" // nothing listens
	down.Reader = mezzfs.ReaderOptions{MaxAttempts: 2, RetryBackoff: time.Millisecond, MaxRetryBackoff: time.Millisecond}

	rung := RungSpec{ID: "r", Codec: "h264", Width: 160, Height: 90, CRF: 30, Preset: "ultrafast"}
	out := func(RungSpec) string { return filepath.Join(dir, "out", "r.mp4") }
	entry := map[string]func(ctx context.Context, in string) error{
		"Probe": func(ctx context.Context, in string) error { _, err := Probe(ctx, in, ProbeOptions{}); return err },
		"OpenDecoder": func(ctx context.Context, in string) error {
			d, err := OpenDecoder(ctx, in, DecoderOptions{})
			if err == nil {
				d.Close()
			}
			return err
		},
		"OpenAudioDecoder": func(ctx context.Context, in string) error {
			d, err := OpenAudioDecoder(ctx, in, AudioDecoderOptions{})
			if err == nil {
				d.Close()
			}
			return err
		},
		"EncodeLadder": func(ctx context.Context, in string) error {
			_, err := EncodeLadder(ctx, in, LadderOptions{Rungs: []RungSpec{rung}, OutputPath: out})
			return err
		},
		"EncodeChunk": func(ctx context.Context, in string) error {
			_, err := EncodeChunk(ctx, in, ChunkOptions{StartFrame: 10, Frames: 5, Rungs: []RungSpec{rung}, OutputPath: out})
			return err
		},
		"EncodeAudio": func(ctx context.Context, in string) error {
			_, err := EncodeAudio(ctx, in, AudioSpec{Codec: "aac"}, filepath.Join(dir, "out", "a.m4a"))
			return err
		},
	}
	cases := []struct {
		name      string
		io        IOOptions
		uri       string
		want, src error // src: the mezzfs cause, nil when none
		bad       bool
	}{
		{"missing-key", good, "s3://bad/nope.mp4", ErrNotFound, mezzfs.ErrNotFound, true},
		{"missing-bucket", good, "s3://no-such-bucket/bbb.mp4", ErrNotFound, mezzfs.ErrNotFound, true},
		{"invalid-uri", good, "s3:///bbb.mp4", ErrNotFound, mezzfs.ErrInvalidURI, true},
		{"wrong-credentials", wrongCreds, uris["bbb.mp4"], ErrAccessDenied, mezzfs.ErrAccessDenied, true},
		{"empty-object", good, uris["empty.mp4"], ErrEmpty, nil, true},
		{"missing-file-uri", good, "file://" + filepath.Join(dir, "nope.mp4"), ErrNotFound, mezzfs.ErrNotFound, true},
		{"store-down", down, uris["bbb.mp4"], mezzfs.ErrRetriesExhausted, mezzfs.ErrRetriesExhausted, false},
	}
	for _, c := range cases {
		for name, fn := range entry {
			t.Run(c.name+"/"+name, func(t *testing.T) {
				err := fn(WithIO(context.Background(), c.io), c.uri)
				if !errors.Is(err, c.want) || (c.src != nil && !errors.Is(err, c.src)) {
					t.Fatalf("err = %v, want %v (and %v)", err, c.want, c.src)
				}
				if IsBadInput(err) != c.bad {
					t.Errorf("IsBadInput(%v) = %v, want %v", err, !c.bad, c.bad)
				}
			})
		}
	}
}

// TestS3ChangedWhileReading replaces the object under an open decoder:
// reading on fails with ErrSourceChanged, never with mixed bytes.
func TestS3ChangedWhileReading(t *testing.T) {
	srv := s3(t)
	uri := s3Upload(t, srv, "changed", map[string]string{"bbb.mp4": bbb})["bbb.mp4"]
	ctx := WithIO(context.Background(), IOOptions{Store: mezzfs.Options{S3: srv.Options()},
		Reader: mezzfs.ReaderOptions{BlockSize: 64 << 10, MaxReadAhead: -1, CacheBytes: 256 << 10}})
	d, err := OpenDecoder(ctx, uri, DecoderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	st, _ := mezzfs.NewS3Store(context.Background(), "changed", srv.Options())
	b, _ := os.ReadFile(bbb)
	b = append([]byte(nil), b...)
	b[len(b)/2] ^= 0xff
	if err := st.Put(context.Background(), "bbb.mp4", bytes.NewReader(b), int64(len(b))); err != nil {
		t.Fatal(err)
	}
	for {
		_, err = d.Next()
		if err != nil {
			break
		}
	}
	if !errors.Is(err, ErrSourceChanged) || !errors.Is(err, mezzfs.ErrChanged) || !IsBadInput(err) {
		t.Fatalf("decode after the object changed: %v, want ErrSourceChanged", err)
	}
}

// TestS3ChunkReadsLittle encodes chunks k of N of an all-intra 1080p
// mezzanine through s3:// and checks that little more than a tenth of the
// object was fetched for each: the index, the first frames (stream info)
// and the chunk's span.
func TestS3ChunkReadsLittle(t *testing.T) {
	srv := s3(t)
	mediatest.Need(t)
	dir := t.TempDir()
	mezz := filepath.Join(dir, "intra1080.mp4")
	mediatest.Clip(t, mezz, mediatest.ClipOptions{Size: "1920x1080", Rate: "25", Duration: 8, PixFmt: "yuv420p",
		Codec: "libx264", Preset: "ultrafast", GOP: 1, Extra: mediatest.Args{"crf": "12"}})
	uri := s3Upload(t, srv, "chunk", map[string]string{"m.mp4": mezz})["m.mp4"]
	fi, _ := os.Stat(mezz)
	info, err := Probe(context.Background(), mezz, ProbeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := info.Video().FrameCount
	const N = 10
	rung := RungSpec{ID: "r", Codec: "h264", Width: 192, Height: 108, CRF: 30, Preset: "ultrafast"}
	for _, k := range []int{3, 7} {
		var stats []mezzfs.Stats
		start, end := k*n/N, (k+1)*n/N
		out, err := EncodeChunk(s3Ctx(srv, &stats), uri, ChunkOptions{StartFrame: start, Frames: end - start, Rungs: []RungSpec{rung},
			OutputPath: func(RungSpec) string { return filepath.Join(dir, "c.mp4") }})
		if err != nil {
			t.Fatal(err)
		}
		if !out.Seeked || len(stats) != 1 {
			t.Fatalf("chunk %d: seeked %v, %d stats", k, out.Seeked, len(stats))
		}
		frac := float64(stats[0].BytesFetched) / float64(fi.Size())
		t.Logf("chunk %d of %d: fetched %d of %d bytes (%.3f), %d requests", k, N, stats[0].BytesFetched, fi.Size(), frac, stats[0].Requests)
		if frac > 0.25 {
			t.Errorf("chunk %d of %d fetched %.0f%% of the object", k, N, 100*frac)
		}
	}
}
