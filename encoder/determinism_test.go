package encoder

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/reel-video/reel/internal/mediatest"
)

// TestEncodeDeterministicConcurrent: a chunk (and a ladder) encoded several
// times at once, from goroutines whose cgo calls land on different OS
// threads, must give the same bytes every time for every rung, including a
// scaled one. libx264's AVX-512 kernels used to read uninitialised heap
// memory at 320x180, so the scaled rung's bytes depended on which malloc
// arena (which thread) the encode ran on, i.e. on load.
func TestEncodeDeterministicConcurrent(t *testing.T) {
	mediatest.Need(t)
	if testing.Short() {
		t.Skip("short")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "m.mkv")
	mediatest.Clip(t, src, mediatest.ClipOptions{Size: "640x360", Rate: "25", Frames: 100, PixFmt: "yuv420p", Codec: "ffv1"})
	rungs := detRungs
	const runs = 4
	encode := func(t *testing.T, name string, fn func(out func(RungSpec) string) error) {
		hashes := make([]map[string]string, runs)
		var wg sync.WaitGroup
		errs := make([]error, runs)
		for i := range runs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := filepath.Join(dir, fmt.Sprintf("%s%d", name, i))
				if err := os.MkdirAll(d, 0o755); err != nil {
					errs[i] = err
					return
				}
				out := func(r RungSpec) string { return filepath.Join(d, r.ID+".mp4") }
				if errs[i] = fn(out); errs[i] != nil {
					return
				}
				hashes[i] = map[string]string{}
				for _, r := range rungs {
					b, err := os.ReadFile(out(r))
					if err != nil {
						errs[i] = err
						return
					}
					hashes[i][r.ID] = fmt.Sprintf("%x", sha256.Sum256(b))
				}
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("run %d: %v", i, err)
			}
		}
		for _, r := range rungs {
			for i := 1; i < runs; i++ {
				if hashes[i][r.ID] != hashes[0][r.ID] {
					t.Errorf("%s rung %s: run %d gave %.12s, run 0 gave %.12s", name, r.ID, i, hashes[i][r.ID], hashes[0][r.ID])
				}
			}
		}
	}
	t.Run("chunk", func(t *testing.T) {
		encode(t, "chunk", func(out func(RungSpec) string) error {
			_, err := EncodeChunk(context.Background(), src, ChunkOptions{StartFrame: 50, Frames: 50, Rungs: rungs, OutputPath: out})
			return err
		})
	})
	t.Run("ladder", func(t *testing.T) {
		encode(t, "ladder", func(out func(RungSpec) string) error {
			_, err := EncodeLadder(context.Background(), src, LadderOptions{Rungs: rungs, OutputPath: out})
			return err
		})
	})
}

// detRungs and detSource are shared by the determinism tests.
var detRungs = []RungSpec{
	{ID: "360p", Width: 640, Height: 360, Codec: "h264", CRF: 26, Preset: "veryfast", Profile: "high", GOPFrames: 50, Threads: 1},
	{ID: "180p", Width: 320, Height: 180, Codec: "h264", CRF: 28, Preset: "veryfast", Profile: "high", GOPFrames: 50, Threads: 1},
}

// TestEncodeIndependentOfHeapContents runs the same chunk and ladder
// encodes in child processes whose malloc fills fresh and freed memory with
// different bytes (glibc's MALLOC_PERTURB_), and requires identical output:
// nothing an encode reads may come from uninitialised memory. This is the
// deterministic form of "re-encoding under load gives other bytes": with
// libx264's AVX-512 kernels the 320x180 rung differed for every fill byte.
func TestEncodeIndependentOfHeapContents(t *testing.T) {
	if out := os.Getenv("REEL_DET_CHILD_OUT"); out != "" {
		src := os.Getenv("REEL_DET_CHILD_SRC")
		path := func(kind string) func(RungSpec) string {
			return func(r RungSpec) string { return filepath.Join(out, kind+"_"+r.ID+".mp4") }
		}
		if _, err := EncodeChunk(context.Background(), src, ChunkOptions{StartFrame: 50, Frames: 50, Rungs: detRungs, OutputPath: path("chunk")}); err != nil {
			t.Fatal(err)
		}
		if _, err := EncodeLadder(context.Background(), src, LadderOptions{Rungs: detRungs, OutputPath: path("ladder")}); err != nil {
			t.Fatal(err)
		}
		return
	}
	mediatest.Need(t)
	if testing.Short() {
		t.Skip("short")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "m.mkv")
	mediatest.Clip(t, src, mediatest.ClipOptions{Size: "640x360", Rate: "25", Frames: 100, PixFmt: "yuv420p", Codec: "ffv1"})
	var ref map[string]string
	for _, perturb := range []string{"0", "85", "170"} {
		out := filepath.Join(dir, "p"+perturb)
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestEncodeIndependentOfHeapContents$", "-test.count=1")
		cmd.Env = append(os.Environ(), "MALLOC_PERTURB_="+perturb, "REEL_DET_CHILD_OUT="+out, "REEL_DET_CHILD_SRC="+src)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("child with MALLOC_PERTURB_=%s: %v\n%s", perturb, err, b)
		}
		got := map[string]string{}
		for _, kind := range []string{"chunk", "ladder"} {
			for _, r := range detRungs {
				b, err := os.ReadFile(filepath.Join(out, kind+"_"+r.ID+".mp4"))
				if err != nil {
					t.Fatal(err)
				}
				got[kind+" "+r.ID] = fmt.Sprintf("%x", sha256.Sum256(b))
			}
		}
		if ref == nil {
			ref = got
			continue
		}
		for k, h := range got {
			if h != ref[k] {
				t.Errorf("%s with MALLOC_PERTURB_=%s: %.12s, with 0: %.12s", k, perturb, h, ref[k])
			}
		}
	}
}
