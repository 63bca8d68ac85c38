package store_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/reel-video/reel/mezzfs"
	"github.com/reel-video/reel/store"
)

// parseCases are ParseLocation's table; FuzzParseLocation starts from
// their inputs. want is String() of the result; err a substring of the
// error (which always wraps ErrInvalidLocation).
var parseCases = []struct {
	in, want, err string
	local         bool
}{
	{in: "/o/t", want: "/o/t", local: true},
	{in: "/o/t/", want: "/o/t", local: true},
	{in: "/o//t/../u", want: "/o/u", local: true},
	{in: "/", want: "/", local: true},
	{in: "file:///o/t", want: "file:///o/t", local: true},
	{in: "FILE:///o/t/", want: "file:///o/t", local: true},
	{in: "file://localhost/o/t", want: "file:///o/t", local: true},
	{in: "file:///o/a%20b", want: "file:///o/a%20b", local: true},
	{in: "file:///o/a%3Fb", want: "file:///o/a%3Fb", local: true},
	{in: "s3://out/t", want: "s3://out/t"},
	{in: "s3://out/t/", want: "s3://out/t"},
	{in: "S3://out//t//.chunks/", want: "s3://out/t/.chunks"},
	{in: "s3://out/a/../b", want: "s3://out/b"},
	{in: "s3://out", want: "s3://out"},
	{in: "s3://out/", want: "s3://out"},
	{in: "s3://out/a b?c#d", want: "s3://out/a b?c#d"},
	{in: "", err: "empty"},
	{in: "s3://", err: "no bucket"},
	{in: "s3:///key", err: "no bucket"},
	{in: "s3://b@d/k", err: "bucket"},
	{in: "s3://bucket/\xff", err: "UTF-8"},
	{in: "gs://b/k", err: `unsupported scheme "gs"`},
	{in: "http://h/p", err: `unsupported scheme "http"`},
	{in: "://x", err: `unsupported scheme ""`},
	{in: "file://host/x", err: "must be local"},
	{in: "file://", err: "absolute path"},
	{in: "file:///a?b", err: "no query"},
	{in: "file:///a#b", err: "no query"},
	{in: "file://u@/a", err: "no user"},
	{in: "file:///a%zz", err: "invalid URL escape"},
	{in: "/a\x00b", err: "NUL"},
}

func TestParseLocation(t *testing.T) {
	for _, tc := range parseCases {
		l, err := store.ParseLocation(tc.in)
		if tc.err != "" {
			if !errors.Is(err, store.ErrInvalidLocation) || !errors.Is(err, mezzfs.ErrInvalidURI) || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseLocation(%q) = %v, %v; want an invalid location error containing %q", tc.in, l, err, tc.err)
			}
			continue
		}
		if err != nil || l.String() != tc.want || l.IsLocal() != tc.local {
			t.Errorf("ParseLocation(%q) = %q (local %v), %v; want %q (local %v)", tc.in, l, l.IsLocal(), err, tc.want, tc.local)
		}
	}

	// A plain relative path is made absolute, once.
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if l, err := store.ParseLocation("rel/x.mp4"); err != nil || l.Path() != filepath.Join(wd, "rel", "x.mp4") {
		t.Errorf("relative path: %q, %v", l.Path(), err)
	}
	// Two spellings, one place.
	a, _ := store.ParseLocation("s3://b/t/")
	b, _ := store.ParseLocation("s3://b//t")
	if a != b || a.Bucket() != "b" || a.Key() != "t" || a.Path() != "" {
		t.Errorf("s3 spellings: %#v vs %#v", a, b)
	}
	if l, _ := store.ParseLocation("file:///o/t"); l.Path() != "/o/t" || l.Key() != "" || l.Bucket() != "" {
		t.Errorf("file URI: path %q key %q bucket %q", l.Path(), l.Key(), l.Bucket())
	}
	if l, err := store.LocalPath("a://b"); err != nil || l.Path() != filepath.Join(wd, "a:", "b") {
		t.Errorf("LocalPath(a://b) = %q, %v", l.Path(), err)
	}
	if !(store.Location{}).IsZero() || a.IsZero() {
		t.Error("IsZero")
	}
}

func TestJoinRel(t *testing.T) {
	mustParse := func(s string) store.Location {
		l, err := store.ParseLocation(s)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	for _, tc := range []struct{ base, rel, want string }{
		{"/o/t", "rungs/a.mp4", "/o/t/rungs/a.mp4"},
		{"s3://out/t", "rungs/a.mp4", "s3://out/t/rungs/a.mp4"},
		{"s3://out/t/", "vmaf/a.json", "s3://out/t/vmaf/a.json"},
		{"s3://out/t//.chunks", "k/m.json", "s3://out/t/.chunks/k/m.json"},
		{"s3://out", "report.json", "s3://out/report.json"},
		{"file:///o/t", "report.json", "file:///o/t/report.json"},
		{"/o/t", "../../../x", "/x"},
		{"s3://out/t", "../../x", "s3://out/x"},
		{"s3://out/t", "", "s3://out/t"},
	} {
		l := mustParse(tc.base).Join(tc.rel)
		if l.String() != tc.want {
			t.Errorf("%q.Join(%q) = %q, want %q", tc.base, tc.rel, l, tc.want)
		}
		if tc.rel == "" || strings.Contains(tc.rel, "..") {
			continue
		}
		if rel, ok := mustParse(tc.base).Rel(l); !ok || rel != tc.rel {
			t.Errorf("%q.Rel(%q) = %q, %v; want %q", tc.base, l, rel, ok, tc.rel)
		}
	}
	for _, tc := range []struct{ base, target string }{
		{"/o/t", "/o/tt/x"},
		{"/o/t", "/o/x"},
		{"s3://out/t", "s3://out/tt/x"},
		{"s3://out/t", "s3://other/t/x"},
		{"s3://out/t", "/o/t/x"},
		{"/o/t", "s3://o/t/x"},
	} {
		if rel, ok := mustParse(tc.base).Rel(mustParse(tc.target)); ok {
			t.Errorf("%q.Rel(%q) = %q, true; want not below", tc.base, tc.target, rel)
		}
	}
	if rel, ok := mustParse("file:///o/t").Rel(mustParse("/o/t/a/b")); !ok || rel != "a/b" {
		t.Errorf("file URI and path: %q %v", rel, ok)
	}
	if rel, ok := mustParse("s3://b").Rel(mustParse("s3://b/k/x")); !ok || rel != "k/x" {
		t.Errorf("bucket root: %q %v", rel, ok)
	}
	if rel, ok := mustParse("/o").Rel(mustParse("/o")); !ok || rel != "." {
		t.Errorf("self: %q %v", rel, ok)
	}
}

// FuzzParseLocation: a parsed location reads back as itself from its
// String, joining and Rel undo each other, and every failure wraps
// ErrInvalidLocation.
func FuzzParseLocation(f *testing.F) {
	for _, tc := range parseCases {
		f.Add(tc.in, "a/b")
	}
	f.Fuzz(func(t *testing.T, s, rel string) {
		l, err := store.ParseLocation(s)
		if err != nil {
			if !errors.Is(err, store.ErrInvalidLocation) {
				t.Fatalf("ParseLocation(%q): error %v does not wrap ErrInvalidLocation", s, err)
			}
			return
		}
		again, err := store.ParseLocation(l.String())
		if err != nil || again != l {
			t.Fatalf("ParseLocation(%q) = %#v; its String %q parses to %#v, %v", s, l, l.String(), again, err)
		}
		if strings.ContainsRune(rel, 0) || !utf8.ValidString(rel) {
			return // Join takes valid names
		}
		j := l.Join(rel)
		back, err := store.ParseLocation(j.String())
		if err != nil || back != j {
			t.Fatalf("%q.Join(%q) = %q parses to %#v, %v", l, rel, j, back, err)
		}
		r, ok := l.Rel(j)
		if !ok && !strings.Contains(rel, "..") {
			t.Fatalf("%q.Rel(%q): not below", l, j)
		}
		if ok && l.Join(r) != j {
			t.Fatalf("%q.Join(%q.Rel(%q) = %q) = %q", l, l, j, r, l.Join(r))
		}
	})
}
