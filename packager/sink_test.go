package packager

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/reel-video/reel/mezzfs"
	"github.com/reel-video/reel/store"
)

// TestSinks: DirSink and StoreSink write whole files below their root
// and refuse paths that leave it.
func TestSinks(t *testing.T) {
	ctx := context.Background()
	dirRoot := t.TempDir()
	storeRoot := t.TempDir()
	root, err := store.LocalPath(storeRoot)
	if err != nil {
		t.Fatal(err)
	}
	sinks := map[string]Sink{
		dirRoot:   DirSink(dirRoot),
		storeRoot: StoreSink{Store: store.New(mezzfs.Options{}), Root: root},
	}
	for dir, sink := range sinks {
		for _, rel := range []string{"master.m3u8", "v1/seg-1.m4s", "v1/seg-1.m4s"} {
			if err := sink.Put(ctx, rel, []byte(rel)); err != nil {
				t.Fatalf("%T: %v", sink, err)
			}
			got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
			if err != nil || string(got) != rel {
				t.Errorf("%T %s: %q, %v", sink, rel, got, err)
			}
		}
		for _, rel := range []string{"", "../x", "/abs", "a/../../b", "a//b"} {
			if err := sink.Put(ctx, rel, nil); !errors.Is(err, ErrInvalidInput) {
				t.Errorf("%T: Put(%q) = %v, want ErrInvalidInput", sink, rel, err)
			}
		}
	}
}
