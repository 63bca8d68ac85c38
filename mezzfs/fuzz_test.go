package mezzfs_test

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/reel-video/reel/mezzfs"
)

// FuzzReaderAt compares Reader.ReadAt with bytes.Reader over random
// object sizes, block sizes, cache budgets and read sequences.
func FuzzReaderAt(f *testing.F) {
	f.Add(uint64(1), uint32(1000), uint16(64), uint8(4))
	f.Add(uint64(2), uint32(0), uint16(1), uint8(1))
	f.Add(uint64(3), uint32(1<<20+1), uint16(4096), uint8(30))
	f.Add(uint64(4), uint32(777), uint16(777), uint8(2))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, seed uint64, size uint32, block uint16, reads uint8) {
		size %= 3 << 20
		if block == 0 {
			block = 1
		}
		data := payload(int(size), seed)
		sub, err := os.MkdirTemp(dir, "")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(sub)
		if err := os.WriteFile(filepath.Join(sub, "obj"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(seed, uint64(size)))
		opts := mezzfs.ReaderOptions{
			BlockSize:    int64(block),
			CacheBytes:   int64(block) * int64(1+rng.IntN(8)),
			MaxFetch:     int64(block) * int64(1+rng.IntN(4)),
			MaxReadAhead: int64(rng.IntN(3)-1) * int64(block) * 4,
			Concurrency:  1 + rng.IntN(3),
		}
		if rng.IntN(4) == 0 {
			opts.CacheDir = filepath.Join(sub, "cache")
		}
		r, err := mezzfs.NewReader(context.Background(), mezzfs.NewLocalStore(sub), "obj", opts)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		want := bytes.NewReader(data)
		for range int(reads)%40 + 1 {
			off := int64(rng.IntN(int(size) + 100))
			if rng.IntN(3) == 0 && size > 0 { // sequential-ish runs
				off = int64(rng.IntN(int(size)))
			}
			n := rng.IntN(3*int(block) + 10)
			got := make([]byte, n)
			exp := make([]byte, n)
			gn, gerr := r.ReadAt(got, off)
			en, eerr := want.ReadAt(exp, off)
			if gn != en || !bytes.Equal(got[:gn], exp[:en]) || (gerr == io.EOF) != (eerr == io.EOF) || (gerr != nil && gerr != io.EOF) {
				t.Fatalf("ReadAt(len %d, off %d) on %d bytes, opts %+v: got (%d, %v), want (%d, %v)", n, off, size, opts, gn, gerr, en, eerr)
			}
		}
	})
}
