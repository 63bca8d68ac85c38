package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/reel-video/reel/internal/mediatest"
	"github.com/reel-video/reel/ladder"
	"github.com/reel-video/reel/plan"
	"github.com/reel-video/reel/workflows"
)

// TestScaleFigures measures what one title costs (issue 23, docs/scale.md):
// a real clip encoded end to end at the built-in (default) profile by
// `reel run` on the embedded server, source and outputs in S3 (versitygw
// on loopback behind a counting proxy). It prints, as lines
// "FIGURE name: value", the activities by type (count, total and mean
// duration), the history (events and bytes by event type, the largest
// payloads), the S3 requests by kind and their bytes each way, and the
// process's CPU seconds attributed to activity types, each also per
// minute of source. It runs only with REEL_SCALE=1 (bash bench/scale.sh).
//
// Knobs: REEL_SCALE_CLIP (default: the repository's Big Buck Bunny clip
// played 4 times, 21 s at 640x360 with its audio: 4 chunks, small enough
// for a loaded 2-core machine), REEL_SCALE_PROFILE (a profile file;
// default: the built-in one), REEL_SCALE_OUT (a directory to keep the
// history JSON in).
func TestScaleFigures(t *testing.T) {
	if os.Getenv("REEL_SCALE") != "1" {
		t.Skip("the capacity measurement runs with REEL_SCALE=1 (bash bench/scale.sh; a few minutes on 2 cores)")
	}
	needFFprobe(t)
	src := os.Getenv("REEL_SCALE_CLIP")
	if src == "" {
		// The repository's clip played 4 times (21 s, a cut at each
		// loop) at 640x360, its 5.1 AAC re-encoded.
		src = filepath.Join(t.TempDir(), "bbb4x360.mp4")
		mediatest.Clip(t, src, mediatest.ClipOptions{File: clip, Input: mediatest.Args{"stream_loop": "3"}, VF: "scale=640:360",
			Codec: "libx264", AudioCodec: "aac", Extra: mediatest.Args{"crf": "18"}})
	}
	src, _ = filepath.Abs(src)
	if _, err := os.Stat(src); err != nil {
		t.Fatalf("REEL_SCALE_CLIP: %v", err)
	}
	pr := mediatest.Probe(t, src)
	minutes := pr.Format.Seconds() / 60
	v := pr.Video()
	figure("clip", "%s: %.2f s, %dx%d, %s fps, %d bytes", filepath.Base(src), pr.Format.Seconds(), v.Width, v.Height, v.RFrameRate, fileSize(t, src))

	s := startS3(t)
	ctx := context.Background()
	mezz, err := s.NewBucket(ctx, "mezz")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.NewBucket(ctx, "out"); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	err = mezz.Put(ctx, "title"+filepath.Ext(src), f, fileSize(t, src))
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	px := newCountingProxy(t, s.Endpoint)

	dir := t.TempDir()
	stateDir := filepath.Join(dir, "state")
	port := freePorts(t)
	args := []string{"run", "s3://mezz/title" + filepath.Ext(src), "--title", "scale", "--out", "s3://out/scale/",
		"--state-dir", stateDir, "--embedded-port", strconv.Itoa(port),
		"--s3-endpoint", px.url, "--s3-path-style", "--json", "--quiet"}
	if p := os.Getenv("REEL_SCALE_PROFILE"); p != "" {
		args = append(args, "--profile", p)
	}
	cpu := startCPUSampler(250 * time.Millisecond)
	start := time.Now()
	code, stdout, stderr := reel(ctx, args...)
	wall := time.Since(start)
	samples := cpu.stop()
	if code != 0 {
		t.Fatalf("reel run: exit %d\n%s", code, stderr)
	}
	var res workflows.TitleResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("result: %v\n%s", err, stdout)
	}
	totalCPU := samples[len(samples)-1].cpu - samples[0].cpu
	figure("title", "%d chunks, %d rungs, %d audio renditions, ladder %s", res.Chunks, len(res.Rungs), len(res.Audio), res.Ladder)
	figure("wall", "%.1f s (%.1f s per minute of source)", wall.Seconds(), wall.Seconds()/minutes)
	figure("process CPU", "%.1f s (%.1f s per minute of source; server, workers and encoders in one process)", totalCPU, totalCPU/minutes)

	// The history, read back from the embedded server's state.
	o := connOptions{StateDir: stateDir, EmbeddedPort: port, Namespace: "default"}
	var sink syncBuffer
	c, err := o.connect(ctx, &Env{Stdout: &sink, Stderr: &sink, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	wid := workflows.WorkflowID("scale")
	attempts, err := activityAttempts(ctx, c.Client, wid)
	if err != nil {
		t.Fatal(err)
	}
	scaleActivities(attempts, minutes)
	scaleCPU(attempts, samples, minutes)
	scaleHistory(ctx, t, c.Client, wid, minutes)
	px.report(attempts, minutes)
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// scaleActivities prints the completed activities by type: count, total
// and mean run time, and the attempts beyond the first.
func scaleActivities(attempts []activityAttempt, minutes float64) {
	type agg struct {
		n, retries int
		d          time.Duration
	}
	by := map[string]*agg{}
	total := 0
	for _, a := range attempts {
		g := by[a.Type]
		if g == nil {
			g = &agg{}
			by[a.Type] = g
		}
		if a.Attempt > 1 {
			g.retries++
		}
		if a.Completed {
			g.n++
			total++
			g.d += a.Closed.Sub(a.Started)
		}
	}
	for _, k := range sortedKeys(by) {
		g := by[k]
		figure("activity "+k, "%d completed (%d retried attempts), %.1f s total, %.2f s mean; %.2f per minute of source",
			g.n, g.retries, g.d.Seconds(), g.d.Seconds()/float64(max(g.n, 1)), float64(g.n)/minutes)
	}
	figure("activities", "%d completed, %.1f per minute of source", total, float64(total)/minutes)
}

// cpuSample is the process's user+system CPU seconds at a time.
type cpuSample struct {
	at  time.Time
	cpu float64
}

type cpuSampler struct {
	mu      sync.Mutex
	samples []cpuSample
	done    chan struct{}
	wg      sync.WaitGroup
}

func processCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// startCPUSampler records the process's CPU time every period until stop.
func startCPUSampler(period time.Duration) *cpuSampler {
	s := &cpuSampler{done: make(chan struct{})}
	s.samples = append(s.samples, cpuSample{time.Now(), processCPU()})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		tick := time.NewTicker(period)
		defer tick.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-tick.C:
				s.mu.Lock()
				s.samples = append(s.samples, cpuSample{time.Now(), processCPU()})
				s.mu.Unlock()
			}
		}
	}()
	return s
}

func (s *cpuSampler) stop() []cpuSample {
	close(s.done)
	s.wg.Wait()
	s.samples = append(s.samples, cpuSample{time.Now(), processCPU()})
	return s.samples
}

// scaleCPU attributes the CPU time of each sampling interval to the
// activity attempts running in it, in proportion to their overlap with the
// interval; what no activity covers is the server's, the workflow
// worker's and the SDK's ("outside activities"). Concurrent activities
// share an interval's CPU by time, not by what each really used, so the
// split between activities that overlapped is an estimate.
func scaleCPU(attempts []activityAttempt, samples []cpuSample, minutes float64) {
	by := map[string]float64{}
	var outside float64
	for i := 1; i < len(samples); i++ {
		t0, t1 := samples[i-1].at, samples[i].at
		d := samples[i].cpu - samples[i-1].cpu
		span := t1.Sub(t0).Seconds()
		if span <= 0 {
			continue
		}
		overlap := map[string]float64{}
		var sum float64
		for _, a := range attempts {
			if !a.Completed {
				continue
			}
			lo, hi := maxTime(a.Started, t0), minTime(a.Closed, t1)
			if o := hi.Sub(lo).Seconds(); o > 0 {
				overlap[a.Type] += o
				sum += o
			}
		}
		covered := min(sum/span, 1)
		outside += d * (1 - covered)
		for k, o := range overlap {
			by[k] += d * covered * o / sum
		}
	}
	var total float64
	for _, k := range sortedKeys(by) {
		total += by[k]
		figure("cpu "+k, "%.1f s (%.1f s per minute of source)", by[k], by[k]/minutes)
	}
	figure("cpu outside activities", "%.1f s (%.1f s per minute of source)", outside, outside/minutes)
	figure("cpu in activities", "%.1f s (%.1f s per minute of source)", total, total/minutes)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// scaleHistory prints the workflow's history: events and bytes by event
// type (proto sizes), the server's own count and size, and the largest
// payload of each activity type's input and result.
func scaleHistory(ctx context.Context, t *testing.T, c client.Client, wid string, minutes float64) {
	t.Helper()
	it := c.GetWorkflowHistory(ctx, wid, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	count, size := map[string]int{}, map[string]int{}
	scheduled := map[int64]string{}
	payload := map[string]int{} // "Type input" / "Type result" → largest
	total := 0
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, ev)
		typ := strings.TrimPrefix(ev.GetEventType().String(), "EVENT_TYPE_")
		n := proto.Size(ev)
		count[typ]++
		size[typ] += n
		total += n
		note := func(key string, p *commonpb.Payloads) {
			if p != nil {
				payload[key] = max(payload[key], proto.Size(p))
			}
		}
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil {
			scheduled[ev.GetEventId()] = a.GetActivityType().GetName()
			note(a.GetActivityType().GetName()+" input", a.GetInput())
		}
		if a := ev.GetActivityTaskCompletedEventAttributes(); a != nil {
			note(scheduled[a.GetScheduledEventId()]+" result", a.GetResult())
		}
		if a := ev.GetWorkflowExecutionStartedEventAttributes(); a != nil {
			note("workflow input", a.GetInput())
		}
		if a := ev.GetWorkflowExecutionCompletedEventAttributes(); a != nil {
			note("workflow result", a.GetResult())
		}
		if a := ev.GetMarkerRecordedEventAttributes(); a != nil {
			for _, p := range a.GetDetails() {
				note("marker "+a.GetMarkerName(), p)
			}
		}
	}
	for _, k := range sortedKeys(count) {
		figure("history "+k, "%d events, %d bytes (%.0f bytes mean)", count[k], size[k], float64(size[k])/float64(count[k]))
	}
	figure("history", "%d events, %d bytes; %.1f events and %.0f bytes per minute of source", len(h.Events), total,
		float64(len(h.Events))/minutes, float64(total)/minutes)
	if d, err := c.DescribeWorkflowExecution(ctx, wid, ""); err == nil {
		info := d.GetWorkflowExecutionInfo()
		figure("history (server's count)", "%d events, %d bytes", info.GetHistoryLength(), info.GetHistorySizeBytes())
	}
	keys := sortedKeys(payload)
	sort.SliceStable(keys, func(i, j int) bool { return payload[keys[i]] > payload[keys[j]] })
	for _, k := range keys {
		figure("payload "+k, "%d bytes (largest)", payload[k])
	}
	if out := os.Getenv("REEL_SCALE_OUT"); out != "" {
		data, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(h)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(out, "history.json")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		figure("history kept in", "%s", p)
	}
}

// countingProxy is a reverse proxy in front of the S3 server that counts
// requests by kind and the bytes of their bodies each way. It keeps the
// client's Host header, so signed requests stay valid.
type countingProxy struct {
	url string
	mu  sync.Mutex
	by  map[string]*s3Count
	log []s3Request
}

// s3Request is one request through the proxy: when it was sent and the
// bytes of its bodies.
type s3Request struct {
	at     time.Time
	up, dn int64
}

type s3Count struct {
	n      int
	up, dn int64 // request and response body bytes
	failed int   // responses >= 400 (cache misses are 404s)
	dnMax  int64 // largest response body
	upMax  int64 // largest request body
}

func newCountingProxy(t *testing.T, upstream string) *countingProxy {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	p := &countingProxy{by: map[string]*s3Count{}}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.Out.URL.Scheme, r.Out.URL.Host = u.Scheme, u.Host
			r.Out.Host = r.In.Host
		},
		Transport: countingTransport{p: p, rt: http.DefaultTransport},
	}
	srv := &http.Server{Handler: rp}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	p.url = "http://" + ln.Addr().String()
	return p
}

// s3Kind names an S3 request: GET ranged, GET, LIST, HEAD, PUT, PUT part,
// POST create/complete multipart, DELETE …
func s3Kind(r *http.Request) string {
	q := r.URL.Query()
	path := strings.Trim(r.URL.Path, "/")
	bucketOnly := !strings.Contains(path, "/")
	switch {
	case r.Method == http.MethodGet && bucketOnly:
		return "LIST"
	case r.Method == http.MethodGet && r.Header.Get("Range") != "":
		return "GET ranged"
	case r.Method == http.MethodPut && q.Has("partNumber"):
		return "PUT part"
	case r.Method == http.MethodPut && r.Header.Get("X-Amz-Copy-Source") != "":
		return "PUT copy"
	case r.Method == http.MethodPost && q.Has("uploads"):
		return "POST create multipart"
	case r.Method == http.MethodPost && q.Has("uploadId"):
		return "POST complete multipart"
	case r.Method == http.MethodPost && q.Has("delete"):
		return "POST delete objects"
	case r.Method == http.MethodDelete && q.Has("uploadId"):
		return "DELETE abort multipart"
	}
	return r.Method
}

type countingTransport struct {
	p  *countingProxy
	rt http.RoundTripper
}

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	kind := s3Kind(r)
	at := time.Now()
	var up int64
	if r.Body != nil {
		r.Body = &countingBody{ReadCloser: r.Body, n: &up}
	}
	resp, err := c.rt.RoundTrip(r)
	c.p.mu.Lock()
	g := c.p.by[kind]
	if g == nil {
		g = &s3Count{}
		c.p.by[kind] = g
	}
	g.n++
	if err != nil || resp.StatusCode >= 400 {
		g.failed++
	}
	c.p.mu.Unlock()
	if err != nil {
		c.p.add(kind, at, up, 0)
		return nil, err
	}
	var dn int64
	resp.Body = &countingBody{ReadCloser: resp.Body, n: &dn, done: func() { c.p.add(kind, at, up, dn) }}
	return resp, nil
}

func (p *countingProxy) add(kind string, at time.Time, up, dn int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.log = append(p.log, s3Request{at: at, up: up, dn: dn})
	g := p.by[kind]
	g.up += up
	g.dn += dn
	g.dnMax = max(g.dnMax, dn)
	g.upMax = max(g.upMax, up)
}

// countingBody counts the bytes read through it and calls done once, at
// Close.
type countingBody struct {
	io.ReadCloser
	n    *int64
	done func()
	once sync.Once
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	*b.n += int64(n)
	return n, err
}

func (b *countingBody) Close() error {
	err := b.ReadCloser.Close()
	if b.done != nil {
		b.once.Do(b.done)
	}
	return err
}

// report prints the requests by kind, and by the activity type that was
// running when each was sent (shared equally among the activities running
// then; "outside activities" when none was).
func (p *countingProxy) report(attempts []activityAttempt, minutes float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	type share struct{ n, up, dn float64 }
	byAct := map[string]*share{}
	for _, r := range p.log {
		var running []string
		for _, a := range attempts {
			if a.Completed && !r.at.Before(a.Started) && !r.at.After(a.Closed) {
				running = append(running, a.Type)
			}
		}
		if len(running) == 0 {
			running = []string{"outside activities"}
		}
		w := 1 / float64(len(running))
		for _, k := range running {
			g := byAct[k]
			if g == nil {
				g = &share{}
				byAct[k] = g
			}
			g.n += w
			g.up += w * float64(r.up)
			g.dn += w * float64(r.dn)
		}
	}
	for _, k := range sortedKeys(byAct) {
		g := byAct[k]
		figure("s3 during "+k, "%.0f requests, %.0f bytes up, %.0f bytes down; per minute of source %.1f requests, %.0f bytes up, %.0f bytes down",
			g.n, g.up, g.dn, g.n/minutes, g.up/minutes, g.dn/minutes)
	}
	var n int
	var up, dn int64
	for _, k := range sortedKeys(p.by) {
		g := p.by[k]
		n += g.n
		up += g.up
		dn += g.dn
		figure("s3 "+k, "%d requests (%d answered >= 400), %d bytes up, %d bytes down (largest %d up, %d down); %.1f requests per minute of source",
			g.n, g.failed, g.up, g.dn, g.upMax, g.dnMax, float64(g.n)/minutes)
	}
	figure("s3", "%d requests, %d bytes up, %d bytes down; per minute of source %.1f requests, %.0f bytes up, %.0f bytes down",
		n, up, dn, float64(n)/minutes, float64(up)/minutes, float64(dn)/minutes)
}

// TestScaleReportPayload encodes, with the SDK's data converter, the
// WriteReport input a title of C chunks schedules, built with the real
// types in the shape the measured run had (every chunk's trial record at
// every point of a 1080p source's 6 × 5 grid, 6 rungs with per-chunk CRFs
// and heights), and prints its size against Temporal's 2 MB blob limit
// for docs/scale.md. Only with REEL_SCALE=1.
func TestScaleReportPayload(t *testing.T) {
	if os.Getenv("REEL_SCALE") != "1" {
		t.Skip("runs with REEL_SCALE=1 (bash bench/scale.sh)")
	}
	const blobLimit = 2 << 20
	prev := 0
	for _, chunks := range []int{4, 60, 247, 720, 1440, 3600} {
		p, err := converter.GetDefaultDataConverter().ToPayloads(reportInput(chunks))
		if err != nil {
			t.Fatal(err)
		}
		n := proto.Size(p)
		if n <= prev {
			t.Errorf("%d chunks: %d bytes, not more than the fewer chunks' %d", chunks, n, prev)
		}
		prev = n
		figure(fmt.Sprintf("WriteReport input, %d chunks (1080p grid)", chunks), "%d bytes, %.2f× the 2 MB blob limit", n, float64(n)/blobLimit)
	}
}

// reportInput is a WriteReport input of a 1080p title of chunks 5-s
// chunks with the default per-title ladder (6 × 5 grid, 6 rungs).
func reportInput(chunks int) workflows.WriteReportInput {
	heights := []int{234, 360, 432, 540, 720, 1080}
	crfs := []float64{18, 23, 28, 33, 38}
	pt := &workflows.PerTitle{PerShot: true}
	in := workflows.WriteReportInput{TitleID: "title", Out: "s3://out/title", PerTitle: pt}
	for c := range chunks {
		span := ladder.ShotSpan{Start: 125 * c, Frames: 125}
		pt.Shots = append(pt.Shots, span)
		pt.Sample = append(pt.Sample, workflows.TrialRange{Shot: c, StartFrame: span.Start, Frames: 50, Weight: 125})
		pt.Of = append(pt.Of, c)
		in.Chunks = append(in.Chunks, plan.Chunk{Index: c, StartFrame: span.Start, Frames: 125})
		in.Shots = append(in.Shots, workflows.Shot{Start: span.Start, End: span.Start + 125, Confidence: 1, Kind: "cut"})
	}
	for _, h := range heights {
		for _, crf := range crfs {
			r := workflows.TrialResult{TrialPoint: workflows.TrialPoint{Width: (h*16/9 + 1) &^ 1, Height: h, Codec: "h264", CRF: crf, Preset: "medium"}}
			for c := range chunks {
				// Measured-looking values: full-precision VMAFs, whole
				// bit counts, a 64-hex cache key.
				x := float64(h)*1e3 + crf*37 + float64(c)*0.7310585786300049
				key := sha256.Sum256([]byte(fmt.Sprint(h, crf, c)))
				r.Shots = append(r.Shots, workflows.TrialShot{Range: c, Shot: c, StartFrame: 125 * c, Frames: 50, Weight: 125,
					Bits: math.Round(x * 977), BitrateKbps: math.Round(x*488.5) / 1e3, VMAF: 60 + math.Mod(x, 39.123456789012345),
					VMAFMin: 55 + math.Mod(x, 31.98765432109876), VMAFHarmonicMean: 59 + math.Mod(x, 38.5432109876543),
					Key: hex.EncodeToString(key[:])})
			}
			pt.Trials.Results = append(pt.Trials.Results, r)
		}
	}
	for i := range 6 {
		rung := workflows.PerTitleRung{ID: fmt.Sprintf("rung-%d", i), PredictedKbps: 5000.123456789 / float64(i+1), PredictedVMAF: 95 - 7.1234567891*float64(i)}
		for c := range chunks {
			rung.ChunkCRFs = append(rung.ChunkCRFs, float64(20+i*3+c%5))
			rung.ChunkHeights = append(rung.ChunkHeights, heights[5-i])
		}
		pt.Rungs = append(pt.Rungs, rung)
	}
	return in
}
