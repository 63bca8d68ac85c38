package mezzfstest_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/reel-video/reel/mezzfs/mezzfstest"
)

func TestShaper(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	var hosts sync.Map
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hosts.Store(r.Host, true)
		w.Write(body)
	}))
	defer up.Close()

	tests := []struct {
		name     string
		opts     mezzfstest.ShaperOptions
		parallel int
		// bounds of one response's duration (first byte to last)
		min, max time.Duration
	}{
		{"latency only", mezzfstest.ShaperOptions{Latency: 80 * time.Millisecond, BytesPerSecond: -1}, 1, 80 * time.Millisecond, 600 * time.Millisecond},
		{"rate only", mezzfstest.ShaperOptions{Latency: -1, BytesPerSecond: 5 << 20}, 1, 190 * time.Millisecond, 900 * time.Millisecond},
		// The cap is per connection: four at once each take as long as one.
		{"rate per connection", mezzfstest.ShaperOptions{Latency: -1, BytesPerSecond: 5 << 20}, 4, 190 * time.Millisecond, 900 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sh, err := mezzfstest.NewShaper(up.URL, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer sh.Close()
			var wg sync.WaitGroup
			errs := make(chan error, tc.parallel)
			durs := make(chan time.Duration, tc.parallel)
			for range tc.parallel {
				wg.Go(func() {
					t0 := time.Now()
					resp, err := http.Get(sh.URL + "/x")
					if err != nil {
						errs <- err
						return
					}
					got, err := io.ReadAll(resp.Body)
					resp.Body.Close()
					if err != nil {
						errs <- err
						return
					}
					if !bytes.Equal(got, body) {
						t.Errorf("body: %d bytes, differs from the upstream's", len(got))
					}
					durs <- time.Since(t0)
				})
			}
			wg.Wait()
			close(errs)
			close(durs)
			for err := range errs {
				t.Fatal(err)
			}
			for d := range durs {
				if d < tc.min || d > tc.max {
					t.Errorf("response took %v, want [%v, %v]", d, tc.min, tc.max)
				}
			}
			if _, ok := hosts.Load(sh.URL[len("http://"):]); !ok {
				t.Errorf("upstream never saw the proxy's Host header (signed requests would fail)")
			}
		})
	}
}
