package mezzfs_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reel-video/reel/internal/s3test"
	"github.com/reel-video/reel/mezzfs"
)

func TestOpenURI(t *testing.T) {
	ctx := context.Background()
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	tests := []struct {
		uri, store, key string
		err             error
	}{
		{uri: "s3://bucket/a/b/c.mp4", store: "s3://bucket", key: "a/b/c.mp4"},
		{uri: "s3://bucket", store: "s3://bucket", key: ""},
		{uri: "file:///data/m/clip.mov", store: "file:///data/m", key: "clip.mov"},
		{uri: "/data/m/clip.mov", store: "file:///data/m", key: "clip.mov"},
		{uri: "/data/m/", store: "file:///data/m", key: ""},
		{uri: "", err: mezzfs.ErrInvalidURI},
		{uri: "s3:///key", err: mezzfs.ErrInvalidURI},
		{uri: "gs://b/k", err: mezzfs.ErrInvalidURI},
		{uri: "file://host/x", err: mezzfs.ErrInvalidURI},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			st, key, err := mezzfs.Open(ctx, tt.uri, mezzfs.Options{})
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st.String() != tt.store || key != tt.key {
				t.Fatalf("got (%s, %q), want (%s, %q)", st, key, tt.store, tt.key)
			}
		})
	}
	rel, key, err := mezzfs.Open(ctx, "rel/clip.mp4", mezzfs.Options{})
	if err != nil || key != "clip.mp4" || !strings.HasPrefix(rel.String(), "file:///") {
		t.Fatalf("relative path: %v %q %v", rel, key, err)
	}
}

// storeCase is a store under test with a way to reach it for errors.
type storeCase struct {
	name  string
	store func(t *testing.T) mezzfs.Store
}

func stores() []storeCase {
	return []storeCase{
		{"local", func(t *testing.T) mezzfs.Store { return mezzfs.NewLocalStore(t.TempDir()) }},
		{"s3", func(t *testing.T) mezzfs.Store { return newBucket(t) }},
	}
}

func TestStoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	for _, sc := range stores() {
		t.Run(sc.name, func(t *testing.T) {
			st := sc.store(t)
			small := payload(1000, 1)
			big := payload(11<<20+17, 2) // multipart on S3 (part size 5 MiB below)
			if s3, ok := st.(*mezzfs.S3Store); ok {
				o := srv.Options()
				o.PartSize = 5 << 20
				var err error
				st, err = mezzfs.NewS3Store(ctx, s3.Bucket(), o)
				if err != nil {
					t.Fatal(err)
				}
			}
			put(t, st, "dir/small.bin", small)
			if err := st.Put(ctx, "dir/sub/big.bin", bytes.NewReader(big), -1); err != nil {
				t.Fatalf("put unknown size: %v", err)
			}
			put(t, st, "other.bin", small)

			info, err := st.Stat(ctx, "dir/sub/big.bin")
			if err != nil {
				t.Fatal(err)
			}
			if info.Size != int64(len(big)) || info.ETag == "" || info.ModTime.IsZero() {
				t.Fatalf("stat = %+v", info)
			}
			list, err := st.List(ctx, "dir/")
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, o := range list {
				keys = append(keys, o.Key)
			}
			if strings.Join(keys, ",") != "dir/small.bin,dir/sub/big.bin" {
				t.Fatalf("list dir/ = %v", keys)
			}
			rc, err := st.ReadRange(ctx, "dir/sub/big.bin", 5<<20-3, 4096, info.ETag)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rc)
			rc.Close()
			if err != nil || !bytes.Equal(got, big[5<<20-3:5<<20-3+4096]) {
				t.Fatalf("ReadRange: %d bytes, err %v, equal %v", len(got), err, bytes.Equal(got, big[5<<20-3:5<<20-3+4096]))
			}
			if _, err := st.ReadRange(ctx, "dir/sub/big.bin", 0, 10, "not-the-etag"); !errors.Is(err, mezzfs.ErrChanged) {
				t.Fatalf("ReadRange with wrong ETag: %v, want ErrChanged", err)
			}
			if _, err := st.Stat(ctx, "dir/missing"); !errors.Is(err, mezzfs.ErrNotFound) {
				t.Fatalf("stat missing: %v", err)
			}
		})
	}
}

// A failed Put leaves nothing behind (or the old object).
func TestStorePutWholeOrNothing(t *testing.T) {
	ctx := context.Background()
	for _, sc := range stores() {
		t.Run(sc.name, func(t *testing.T) {
			st := sc.store(t)
			old := payload(100, 3)
			put(t, st, "k", old)
			bad := io.MultiReader(bytes.NewReader(payload(6<<20, 4)), errReader{})
			if err := st.Put(ctx, "k", bad, -1); err == nil {
				t.Fatal("put from a failing reader succeeded")
			}
			if err := st.Put(ctx, "k2", bytes.NewReader(payload(50, 5)), 100); err == nil {
				t.Fatal("put of a short body succeeded")
			}
			r, err := mezzfs.NewReader(ctx, st, "k", mezzfs.ReaderOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(r)
			r.Close()
			if !bytes.Equal(got, old) {
				t.Fatalf("object changed by a failed put: %d bytes", len(got))
			}
			if _, err := st.Stat(ctx, "k2"); !errors.Is(err, mezzfs.ErrNotFound) {
				t.Fatalf("short put left an object: %v", err)
			}
			list, _ := st.List(ctx, "")
			if len(list) != 1 {
				t.Fatalf("list after failed puts: %+v", list)
			}
		})
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("source broke") }

func TestS3Errors(t *testing.T) {
	ctx := context.Background()
	st := newBucket(t)
	put(t, st, "there", []byte("hello"))
	good := srv.Options()
	wrongSecret := good
	wrongSecret.SecretKey = "not-the-secret"
	wrongKey := good
	wrongKey.AccessKey = "nobody"

	tests := []struct {
		name   string
		opts   mezzfs.S3Options
		bucket string
		key    string
		want   error
		inMsg  string
	}{
		{"missing key", good, st.Bucket(), "not-there", mezzfs.ErrNotFound, "not-there"},
		{"missing bucket", good, "no-such-bucket-here", "there", mezzfs.ErrNotFound, "no-such-bucket-here"},
		{"wrong secret", wrongSecret, st.Bucket(), "there", mezzfs.ErrAccessDenied, "access denied"},
		{"unknown access key", wrongKey, st.Bucket(), "there", mezzfs.ErrAccessDenied, "access denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := mezzfs.NewS3Store(ctx, tt.bucket, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, err = mezzfs.NewReader(ctx, s, tt.key, mezzfs.ReaderOptions{})
			if !errors.Is(err, tt.want) || !mezzfs.IsBadInput(err) {
				t.Fatalf("NewReader: %v, want %v", err, tt.want)
			}
			if time.Since(start) > 2*time.Second {
				t.Errorf("bad input was retried: took %v", time.Since(start))
			}
			if !strings.Contains(err.Error(), tt.inMsg) {
				t.Errorf("error %q does not mention %q", err, tt.inMsg)
			}
			if strings.Contains(err.Error(), tt.opts.SecretKey) {
				t.Errorf("error leaks the secret: %q", err)
			}
			if _, err := s.ReadRange(ctx, tt.key, 0, 1, ""); !errors.Is(err, tt.want) {
				t.Errorf("ReadRange: %v, want %v", err, tt.want)
			}
			if tt.want == mezzfs.ErrAccessDenied {
				if _, err := s.List(ctx, ""); !errors.Is(err, tt.want) {
					t.Errorf("List: %v, want %v", err, tt.want)
				}
			}
		})
	}
}

// Credentials come from the standard AWS environment variables and the
// shared credentials file when no static keys are given.
func TestS3CredentialChain(t *testing.T) {
	ctx := context.Background()
	st := newBucket(t)
	put(t, st, "k", []byte("x"))
	anon := srv.Options()
	anon.AccessKey, anon.SecretKey = "", ""

	t.Run("env", func(t *testing.T) {
		t.Setenv("AWS_ACCESS_KEY_ID", s3test.AccessKey)
		t.Setenv("AWS_SECRET_ACCESS_KEY", s3test.SecretKey)
		t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
		s, _ := mezzfs.NewS3Store(ctx, st.Bucket(), anon)
		if _, err := s.Stat(ctx, "k"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("shared file and profile", func(t *testing.T) {
		t.Setenv("AWS_ACCESS_KEY_ID", "")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "")
		f := filepath.Join(t.TempDir(), "credentials")
		os.WriteFile(f, []byte("[default]\naws_access_key_id = wrong\naws_secret_access_key = wrong\n\n[reel]\naws_access_key_id = "+
			s3test.AccessKey+"\naws_secret_access_key = "+s3test.SecretKey+"\n"), 0o600)
		t.Setenv("AWS_SHARED_CREDENTIALS_FILE", f)
		t.Setenv("AWS_PROFILE", "reel")
		s, _ := mezzfs.NewS3Store(ctx, st.Bucket(), anon)
		if _, err := s.Stat(ctx, "k"); err != nil {
			t.Fatal(err)
		}
		t.Setenv("AWS_PROFILE", "default")
		s, _ = mezzfs.NewS3Store(ctx, st.Bucket(), anon)
		if _, err := s.Stat(ctx, "k"); !errors.Is(err, mezzfs.ErrAccessDenied) {
			t.Fatalf("default profile with wrong keys: %v", err)
		}
	})
	t.Run("endpoint from AWS_ENDPOINT_URL", func(t *testing.T) {
		o := srv.Options()
		o.Endpoint = ""
		t.Setenv("AWS_ENDPOINT_URL", srv.Endpoint)
		s, _ := mezzfs.NewS3Store(ctx, st.Bucket(), o)
		if _, err := s.Stat(ctx, "k"); err != nil {
			t.Fatal(err)
		}
	})
}
