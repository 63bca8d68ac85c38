package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/reel-video/reel/mezzfs"
	"github.com/reel-video/reel/store"
)

func ExampleParseLocation() {
	for _, s := range []string{"s3://out/title/", "file:///data/out", "/data/out/../in", "gs://b/k", "file://host/x"} {
		l, err := store.ParseLocation(s)
		if err != nil {
			fmt.Println(errors.Is(err, store.ErrInvalidLocation), err)
			continue
		}
		fmt.Println(l, l.IsLocal(), l.Join("rungs", "720p.mp4"))
	}
	// Output:
	// s3://out/title false s3://out/title/rungs/720p.mp4
	// file:///data/out true file:///data/out/rungs/720p.mp4
	// /data/in true /data/in/rungs/720p.mp4
	// true store: invalid location "gs://b/k": unsupported scheme "gs" (want a path, file:///path or s3://bucket/key)
	// true store: invalid location "file://host/x": file URIs must be local (file:///path), not on host "host"
}

func ExampleLocation_Rel() {
	out, _ := store.ParseLocation("s3://out/title")
	rung, _ := store.ParseLocation("s3://out/title/rungs/720p.mp4")
	fmt.Println(out.Rel(rung))
	other, _ := store.ParseLocation("s3://out/other/x")
	fmt.Println(out.Rel(other))
	// Output:
	// rungs/720p.mp4 true
	//  false
}

// A report is written whole or not at all: readers see the old one or the
// new one, on a local disk as in S3.
func ExampleStore_Create() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "store-example-")
	defer os.RemoveAll(dir)
	out, _ := store.ParseLocation(dir) // or "s3://bucket/prefix"

	st := store.New(mezzfs.Options{}) // S3 settings from the AWS environment
	w, err := st.Create(ctx, out.Join("report.json"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer w.Abort() // discards the write unless committed
	fmt.Fprintln(w, `{"schema_version": 1}`)
	if err := w.Commit(); err != nil {
		fmt.Println(err)
		return
	}

	infos, _ := st.List(ctx, out)
	for _, in := range infos {
		rel, _ := out.Rel(in.Location)
		fmt.Println(rel, in.Size)
	}
	_, err = st.Stat(ctx, out.Join("missing.json"))
	fmt.Println(errors.Is(err, store.ErrNotFound))
	_, err = os.Stat(filepath.Join(dir, "report.json"))
	fmt.Println(err == nil)
	// Output:
	// report.json 22
	// true
	// true
}
