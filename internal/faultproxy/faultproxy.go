// Package faultproxy is a loopback HTTP proxy for tests that injects the
// failures object storage shows in production: 5xx responses, connections
// reset in the middle of a body, and slow or stalled responses. It keeps
// the client's Host header, so SigV4-signed S3 requests stay valid.
package faultproxy

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Fault is what the proxy does to one request. The zero Fault forwards
// the request untouched.
type Fault struct {
	// Status, if not 0, answers with this status and an S3-style XML
	// error body without contacting the upstream.
	Status int
	// Delay waits this long before sending the response headers.
	Delay time.Duration
	// ResetAfter, if >= 0 and set with Reset, forwards the response but
	// resets the TCP connection (RST) after this many body bytes.
	Reset      bool
	ResetAfter int64
	// StallAfter/StallFor: after StallAfter body bytes, pause StallFor
	// before sending the rest.
	StallAfter int64
	StallFor   time.Duration
	// ChunkDelay sleeps between 32 KiB chunks of the body (a slow link).
	ChunkDelay time.Duration
}

// Proxy forwards to an upstream with injected faults.
type Proxy struct {
	// URL is the proxy's address, "http://127.0.0.1:PORT".
	URL string

	upstream *url.URL
	srv      *http.Server
	ln       net.Listener
	tr       *http.Transport

	mu        sync.Mutex
	queue     []Fault
	plan      func(r *http.Request, n int) Fault
	writePlan func(r *http.Request, n int) Fault
	n         int // GETs seen
	writes    int // other requests seen while a write plan is set
	log       []string
}

// New starts a proxy in front of upstream ("http://host:port").
func New(upstream string) (*Proxy, error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{URL: "http://" + ln.Addr().String(), upstream: u, ln: ln,
		tr: &http.Transport{MaxIdleConnsPerHost: 32, DisableCompression: true}}
	p.srv = &http.Server{Handler: p}
	go p.srv.Serve(ln)
	return p, nil
}

// Close stops the proxy.
func (p *Proxy) Close() error {
	p.tr.CloseIdleConnections()
	return p.srv.Close()
}

// Enqueue makes the next GET requests (object reads) suffer faults, one
// each, in order; later GETs follow the plan (default: none).
func (p *Proxy) Enqueue(faults ...Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.queue = append(p.queue, faults...)
}

// SetPlan decides the fault of every GET not served from the queue; n
// counts GETs from 1.
func (p *Proxy) SetPlan(plan func(r *http.Request, n int) Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.plan = plan
}

// SetWritePlan decides the fault of every request that is not a GET
// (PUT, POST, DELETE, HEAD: object writes, multipart uploads, stats); n
// counts them from 1. On these requests Status answers without contacting
// the upstream, Delay waits before forwarding (a stalled request), and
// Reset forwards the request whole and then drops the connection with an
// RST before any response byte (the client cannot tell whether the write
// happened). Without a write plan such requests pass untouched.
func (p *Proxy) SetWritePlan(plan func(r *http.Request, n int) Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.writePlan = plan
}

// Reset clears the queue, the plans and the counters.
func (p *Proxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.queue, p.plan, p.writePlan, p.n, p.writes, p.log = nil, nil, nil, 0, 0, nil
}

// Writes returns how many requests other than GETs the write plan has
// seen.
func (p *Proxy) Writes() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.writes
}

// Gets returns how many GETs the proxy has seen.
func (p *Proxy) Gets() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

// Log returns one line per GET: its Range and the fault applied.
func (p *Proxy) Log() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.log...)
}

func (p *Proxy) fault(r *http.Request) Fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.Method != http.MethodGet {
		if p.writePlan == nil {
			return Fault{}
		}
		p.writes++
		f := p.writePlan(r, p.writes)
		p.log = append(p.log, fmt.Sprintf("%s %s fault=%+v", r.Method, r.URL.Path, f))
		return f
	}
	p.n++
	var f Fault
	if len(p.queue) > 0 {
		f, p.queue = p.queue[0], p.queue[1:]
	} else if p.plan != nil {
		f = p.plan(r, p.n)
	}
	p.log = append(p.log, fmt.Sprintf("GET %s range=%q fault=%+v", r.URL.Path, r.Header.Get("Range"), f))
	return f
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f := p.fault(r)
	if f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return
		}
	}
	if f.Status != 0 {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(f.Status)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected %d</Message></Error>`, f.Status)
		return
	}
	out := r.Clone(r.Context())
	out.RequestURI = ""
	out.URL.Scheme = p.upstream.Scheme
	out.URL.Host = p.upstream.Host
	out.Host = r.Host // keep the signed Host
	if r.ContentLength == 0 {
		out.Body = nil
	}
	resp, err := p.tr.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	if f.Reset && r.Method != http.MethodGet {
		// The upstream has the request; its answer is lost.
		_, _ = io.Copy(io.Discard, resp.Body)
		p.reset(w, false)
		return
	}
	for k, vs := range resp.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if resp.ContentLength >= 0 {
		w.Header().Set("Content-Length", strconv.FormatInt(resp.ContentLength, 10))
	}
	w.WriteHeader(resp.StatusCode)

	var sent int64
	buf := make([]byte, 32<<10)
	stalled := false
	for {
		chunk := buf
		if f.Reset && f.ResetAfter-sent < int64(len(chunk)) {
			chunk = chunk[:max(f.ResetAfter-sent, 0)]
		}
		if f.StallFor > 0 && !stalled && f.StallAfter-sent < int64(len(chunk)) && f.StallAfter >= sent {
			chunk = chunk[:f.StallAfter-sent]
		}
		if len(chunk) > 0 {
			n, rerr := resp.Body.Read(chunk)
			if n > 0 {
				if _, err := w.Write(chunk[:n]); err != nil {
					return
				}
				sent += int64(n)
			}
			if rerr != nil {
				return
			}
		}
		if f.Reset && sent >= f.ResetAfter {
			p.reset(w, true)
			return
		}
		if f.StallFor > 0 && !stalled && sent >= f.StallAfter {
			stalled = true
			w.(http.Flusher).Flush()
			select {
			case <-time.After(f.StallFor):
			case <-r.Context().Done():
				return
			}
		}
		if f.ChunkDelay > 0 {
			w.(http.Flusher).Flush()
			time.Sleep(f.ChunkDelay)
		}
	}
}

// reset flushes what was written (flush: false sends nothing, not even
// the headers) and drops the connection with an RST.
func (p *Proxy) reset(w http.ResponseWriter, flush bool) {
	if flush {
		w.(http.Flusher).Flush()
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}
