package mezzfstest

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"
)

// ShaperOptions describes the link a Shaper imitates. Zero fields take the
// documented defaults; negative ones disable the effect.
type ShaperOptions struct {
	// Latency is the time from a request's arrival to its response's
	// first byte (headers), on top of the upstream's own. Default 20 ms,
	// about what S3 answers a GET in from within its region.
	Latency time.Duration
	// BytesPerSecond caps every response body separately (S3 sends each
	// connection at a bounded rate; one body is in flight per HTTP/1.1
	// connection). Default 50 MB/s.
	BytesPerSecond int64
}

const (
	defaultShaperLatency = 20 * time.Millisecond
	defaultShaperRate    = 50e6
	shaperChunk          = 32 << 10
)

func (o ShaperOptions) withDefaults() ShaperOptions {
	if o.Latency == 0 {
		o.Latency = defaultShaperLatency
	}
	if o.BytesPerSecond == 0 {
		o.BytesPerSecond = defaultShaperRate
	}
	return o
}

// Shaper is a loopback HTTP proxy that gives an S3 server the latency and
// per-connection bandwidth of a remote object store. It keeps the
// client's Host header, so SigV4-signed requests stay valid: point an S3
// client at URL as if it were the server.
type Shaper struct {
	// URL is the proxy's address, "http://127.0.0.1:PORT".
	URL string

	opts     ShaperOptions
	upstream *url.URL
	srv      *http.Server
	tr       *http.Transport
}

// NewShaper starts a Shaper in front of upstream ("http://host:port").
func NewShaper(upstream string, opts ShaperOptions) (*Shaper, error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, err
	}
	if u.Host == "" {
		return nil, errors.New("mezzfstest: shaper upstream has no host: " + upstream)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Shaper{
		URL:      "http://" + ln.Addr().String(),
		opts:     opts.withDefaults(),
		upstream: u,
		tr:       &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true},
	}
	s.srv = &http.Server{Handler: s}
	go s.srv.Serve(ln)
	return s, nil
}

// Options returns the shaping in effect (defaults applied).
func (s *Shaper) Options() ShaperOptions { return s.opts }

// Close stops the proxy and drops its connections.
func (s *Shaper) Close() error {
	s.tr.CloseIdleConnections()
	return s.srv.Close()
}

func (s *Shaper) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	first := time.Now().Add(s.opts.Latency)
	out := r.Clone(r.Context())
	out.RequestURI = ""
	out.URL.Scheme = s.upstream.Scheme
	out.URL.Host = s.upstream.Host
	out.Host = r.Host // the signed Host
	if r.ContentLength == 0 {
		out.Body = nil
	}
	resp, err := s.tr.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	if !sleepUntil(r.Context(), first) {
		return
	}
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	if resp.ContentLength >= 0 {
		w.Header().Set("Content-Length", strconv.FormatInt(resp.ContentLength, 10))
	}
	w.WriteHeader(resp.StatusCode)
	if s.opts.BytesPerSecond < 0 {
		_, _ = io.Copy(w, resp.Body)
		return
	}
	s.pace(r.Context(), w, resp.Body)
}

// pace copies body to w at most BytesPerSecond: a token bucket holding
// one chunk, so the body leaves in 32 KiB chunks each sent no earlier
// than its share of the rate allows since the first.
func (s *Shaper) pace(ctx context.Context, w http.ResponseWriter, body io.Reader) {
	fl, _ := w.(http.Flusher)
	buf := make([]byte, shaperChunk)
	start := time.Now()
	var sent int64
	for {
		n, rerr := io.ReadFull(body, buf)
		if n > 0 {
			due := start.Add(time.Duration(float64(sent) / float64(s.opts.BytesPerSecond) * float64(time.Second)))
			if !sleepUntil(ctx, due) {
				return
			}
			if _, err := w.Write(buf[:n]); err != nil {
				return
			}
			if fl != nil {
				fl.Flush()
			}
			sent += int64(n)
		}
		if rerr != nil {
			return
		}
	}
}

// sleepUntil waits for t; false when ctx ends first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// ShapingFromEnv reads the benchmarks' link: $MEZZFS_BENCH_LATENCY_MS
// (first-byte latency) and $MEZZFS_BENCH_MBPS (per-connection cap in
// MB/s, 10^6 bytes). ok is false when neither is set (plain loopback);
// an unset one of the two takes the Shaper's default.
func ShapingFromEnv() (opts ShaperOptions, ok bool) {
	if v := os.Getenv("MEZZFS_BENCH_LATENCY_MS"); v != "" {
		ms, _ := strconv.ParseFloat(v, 64)
		opts.Latency = time.Duration(ms * float64(time.Millisecond))
		if ms <= 0 {
			opts.Latency = -1
		}
		ok = true
	}
	if v := os.Getenv("MEZZFS_BENCH_MBPS"); v != "" {
		mbps, _ := strconv.ParseFloat(v, 64)
		opts.BytesPerSecond = int64(mbps * 1e6)
		if mbps <= 0 {
			opts.BytesPerSecond = -1
		}
		ok = true
	}
	return opts.withDefaults(), ok
}
