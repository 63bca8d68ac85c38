package vmaf

import (
	"fmt"
	"math"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/vmaf/internal/adm"
	"github.com/reel-video/reel/vmaf/internal/motion"
	"github.com/reel-video/reel/vmaf/internal/vif"
)

// Feature names accepted in Config.Features.
const (
	// FeaturePSNR adds psnr_y, psnr_cb and psnr_cr (libvmaf "psnr").
	FeaturePSNR = "psnr"
	// FeatureSSIM adds float_ssim (libvmaf "float_ssim").
	FeatureSSIM = "float_ssim"
	// FeatureMSSSIM adds float_ms_ssim (libvmaf "float_ms_ssim").
	FeatureMSSSIM = "float_ms_ssim"
	// FeatureVIF adds integer_vif_scale0..3 even without a model.
	FeatureVIF = "vif"
	// FeatureADM adds integer_adm2, integer_aim, integer_adm3 and
	// integer_adm_scale0..3 even without a model.
	FeatureADM = "adm"
	// FeatureMotion adds the integer motion features even without a model.
	FeatureMotion = "motion"
)

// NoModel as Config.Model computes features only.
const NoModel = "none"

// ModelSpec selects one model for Config.Models.
type ModelSpec struct {
	// Version names an embedded model (see ModelVersions); ignored when
	// JSON is set.
	Version string
	// JSON is a libvmaf JSON model to use instead of an embedded one.
	JSON []byte
	// Options post-process the prediction; Options.Name is the report key
	// (default "vmaf" for a single model, else the version).
	Options ModelOptions
}

// Config configures a Scorer.
type Config struct {
	// Model is the embedded model version (DefaultModel when empty,
	// NoModel for none). Ignored when Models is set.
	Model string
	// DisableClip turns off the model's score clipping (libvmaf
	// "disable_clip"), for Model only.
	DisableClip bool
	// Models lists several models to evaluate on the same features,
	// replacing Model.
	Models []ModelSpec
	// Features lists extra features: FeaturePSNR ("psnr"), FeatureSSIM
	// ("float_ssim"), FeatureMSSSIM ("float_ms_ssim"), FeatureVIF,
	// FeatureADM, FeatureMotion.
	Features []string
	// Threads is the number of goroutines scoring frames in parallel;
	// 0 means runtime.GOMAXPROCS(0).
	Threads int
	// Tokens, when set, bounds CPU use across everything that shares it
	// (other Scorers, vision analyzers): a worker holds a token (a value
	// sent into the channel) while it scores a frame, so at most
	// cap(Tokens) frames are scored at once. A process that also serves
	// latency-sensitive goroutines (a Temporal worker and server) keeps
	// their scheduling delay short by capping CPU-bound goroutines near
	// GOMAXPROCS.
	Tokens chan struct{}
	// Release, when set, is called with each pushed pair as soon as the
	// Scorer is done with it (from a worker goroutine, so it must be safe
	// for concurrent use), letting the caller read later frames into the
	// same memory (frame.Y4MReader.ReadFrameInto) instead of allocating
	// two frames per picture. It is not called for pairs dropped after a
	// worker error, so a caller must not wait for it. Nil: frames are left
	// to the garbage collector.
	Release func(ref, dis *frame.Frame)
}

// Scorer computes VMAF and other metrics over a stream of frame pairs.
// Frames are scored by a pool of Config.Threads goroutines; at most about
// 2·Threads frame pairs are held at a time (one per worker, Threads−1
// queued and the one being pushed). Push and Close must be
// called from one goroutine.
type Scorer struct {
	models                       []*Model
	psnr, ssim, msssim, motionOn bool
	vifEGL, admEGL               []float64 // option sets, 0 = default

	threads int
	tokens  chan struct{}
	release func(ref, dis *frame.Frame)
	jobs    chan job
	wg      sync.WaitGroup

	mu      sync.Mutex
	err     error
	results []frameOut

	first  *frame.Frame // format of the stream (planes not retained)
	primed int          // reference frames fed to motion by Prime
	motion *motion.Extractor
	mscore []motion.Score
	n      int
	start  time.Time
	closed bool
}

type job struct {
	idx      int
	ref, dis *frame.Frame
}

type frameOut struct {
	psnr         [3]float64
	ssim, msssim float64
	vif          [][4]float64
	adm          []admScores
}

// NewScorer validates cfg and starts the worker pool.
func NewScorer(cfg Config) (*Scorer, error) {
	s := &Scorer{threads: cfg.Threads, tokens: cfg.Tokens, release: cfg.Release}
	if s.threads <= 0 {
		s.threads = runtime.GOMAXPROCS(0)
	}
	specs := cfg.Models
	if len(specs) == 0 && cfg.Model != NoModel {
		specs = []ModelSpec{{Version: cfg.Model, Options: ModelOptions{DisableClip: cfg.DisableClip}}}
	}
	names := map[string]bool{}
	for _, sp := range specs {
		opt := sp.Options
		if opt.Name == "" {
			opt.Name = "vmaf"
			if len(specs) > 1 {
				opt.Name = sp.Version
				if opt.Name == "" {
					opt.Name = DefaultModel
				}
			}
		}
		var m *Model
		var err error
		if sp.JSON != nil {
			m, err = ParseModel(sp.JSON, opt)
		} else {
			m, err = LoadModel(sp.Version, opt)
		}
		if err != nil {
			return nil, err
		}
		if names[m.Name()] {
			return nil, fmt.Errorf("vmaf: two models named %q (set ModelSpec.Options.Name)", m.Name())
		}
		names[m.Name()] = true
		s.models = append(s.models, m)
		for _, f := range m.features {
			switch f.Base {
			case "integer_motion2", "integer_motion3":
				s.motionOn = true
			case "integer_adm2", "integer_aim", "integer_adm3", "integer_adm_scale0", "integer_adm_scale1", "integer_adm_scale2", "integer_adm_scale3":
				s.admEGL = addOpt(s.admEGL, f.EnhnGainLimit)
			default:
				s.vifEGL = addOpt(s.vifEGL, f.EnhnGainLimit)
			}
		}
	}
	for _, f := range cfg.Features {
		switch f {
		case FeaturePSNR:
			s.psnr = true
		case FeatureSSIM:
			s.ssim = true
		case FeatureMSSSIM:
			s.msssim = true
		case FeatureVIF, "integer_vif":
			s.vifEGL = addOpt(s.vifEGL, 0)
		case FeatureADM, "integer_adm":
			s.admEGL = addOpt(s.admEGL, 0)
		case FeatureMotion, "integer_motion":
			s.motionOn = true
		default:
			return nil, fmt.Errorf("%w: %q", ErrUnknownFeature, f)
		}
	}
	s.jobs = make(chan job, s.threads-1)
	for i := 0; i < s.threads; i++ {
		s.wg.Add(1)
		go s.worker()
	}
	return s, nil
}

// addOpt adds an enhancement-gain-limit option set, keeping the default
// (0) first.
func addOpt(list []float64, egl float64) []float64 {
	for _, v := range list {
		if v == egl {
			return list
		}
	}
	list = append(list, egl)
	if egl == 0 {
		copy(list[1:], list[:len(list)-1])
		list[0] = 0
	}
	return list
}

func (s *Scorer) setErr(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
}

func (s *Scorer) getErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// scratch is the reusable memory of one frame being scored (about 25
// bytes per luma sample). Without Tokens each worker keeps its own, so it
// is neither dropped by the garbage collector nor reallocated when the
// goroutine moves to another P (a sync.Pool hands a buffer back only on
// the P that returned it or after a steal).
type scratch struct {
	vif     vif.Workspace
	adm     adm.Workspace
	vifOpts []vif.Options
	vifOut  []vif.Scores
}

// scratchPool shares scratch between the workers of Scorers that share
// Tokens: there at most cap(Tokens) frames are scored at once however many
// Scorers (rungs, windows) are open, so a worker takes scratch with its
// token rather than keeping its own.
var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func (s *Scorer) worker() {
	defer s.wg.Done()
	var own *scratch
	if s.tokens == nil {
		own = new(scratch)
	}
	for j := range s.jobs {
		if s.getErr() != nil {
			continue // drain
		}
		sc := own
		if s.tokens != nil {
			s.tokens <- struct{}{}
			sc = scratchPool.Get().(*scratch)
		}
		out, err := s.scoreFrame(sc, j.ref, j.dis)
		if s.tokens != nil {
			scratchPool.Put(sc)
			<-s.tokens
		}
		if s.release != nil {
			s.release(j.ref, j.dis)
		}
		if err != nil {
			s.setErr(fmt.Errorf("frame %d: %w", j.idx, err))
			continue
		}
		s.mu.Lock()
		s.results[j.idx] = out
		s.mu.Unlock()
	}
}

func (s *Scorer) scoreFrame(sc *scratch, ref, dis *frame.Frame) (frameOut, error) {
	var o frameOut
	bpc := ref.BitDepth
	if s.psnr {
		for c := 0; c < ref.NumPlanes(); c++ {
			v, err := PSNRPlane(&ref.Planes[c], &dis.Planes[c], bpc)
			if err != nil {
				return o, err
			}
			o.psnr[c] = v
		}
	}
	// All VIF option sets at once share the filtering (same results as
	// one call per option set).
	for k := 0; k < len(s.vifEGL); k += vif.MaxOptions {
		egls := s.vifEGL[k:min(k+vif.MaxOptions, len(s.vifEGL))]
		sc.vifOpts = sc.vifOpts[:0]
		for _, egl := range egls {
			opt := vif.DefaultOptions()
			if egl != 0 {
				opt.EnhnGainLimit = egl
			}
			sc.vifOpts = append(sc.vifOpts, opt)
		}
		if cap(sc.vifOut) < len(egls) {
			sc.vifOut = make([]vif.Scores, vif.MaxOptions)
		}
		out := sc.vifOut[:len(egls)]
		if err := sc.vif.ComputeMany(&ref.Planes[0], &dis.Planes[0], bpc, sc.vifOpts, out); err != nil {
			return o, err
		}
		for _, v := range out {
			o.vif = append(o.vif, v.Scale)
		}
	}
	for _, egl := range s.admEGL {
		a, err := computeADM(&sc.adm, &ref.Planes[0], &dis.Planes[0], bpc, egl)
		if err != nil {
			return o, err
		}
		o.adm = append(o.adm, a)
	}
	var err error
	if s.ssim {
		if o.ssim, err = FloatSSIM(&ref.Planes[0], &dis.Planes[0], bpc); err != nil {
			return o, err
		}
	}
	if s.msssim {
		if o.msssim, err = FloatMSSSIM(&ref.Planes[0], &dis.Planes[0], bpc); err != nil {
			return o, err
		}
	}
	return o, nil
}

// Push queues the next reference/distorted pair (frames in presentation
// order). The scorer keeps the two frames until they are scored, so the
// caller must not modify them after Push. It returns ErrFormatMismatch if
// the pair differs in format from each other or from earlier frames, and
// any error a worker met so far.
func (s *Scorer) Push(ref, dis *frame.Frame) error {
	if s.closed {
		return ErrClosed
	}
	if err := s.getErr(); err != nil {
		return err
	}
	if ref == nil || dis == nil {
		return fmt.Errorf("%w: nil frame", ErrFormatMismatch)
	}
	if !ref.SameFormat(dis) {
		return fmt.Errorf("%w: frame %d: reference %s, distorted %s", ErrFormatMismatch, s.n, ref.Format(), dis.Format())
	}
	if s.first == nil {
		if err := s.checkFirst(ref); err != nil {
			return err
		}
	} else if !s.first.SameFormat(ref) {
		return fmt.Errorf("%w: frame %d is %s, stream is %s", ErrFormatMismatch, s.n, ref.Format(), s.first.Format())
	}
	if s.motion != nil {
		sc, err := s.motion.Push(&ref.Planes[0])
		if err != nil {
			s.setErr(fmt.Errorf("frame %d: %w", s.n, err))
			return s.getErr()
		}
		for _, m := range sc {
			if m.Frame >= s.primed {
				s.mscore = append(s.mscore, m)
			}
		}
	}
	s.mu.Lock()
	s.results = append(s.results, frameOut{})
	s.mu.Unlock()
	s.jobs <- job{idx: s.n, ref: ref, dis: dis}
	s.n++
	return nil
}

// Prime feeds the reference frame that comes just before the first frame
// this Scorer will score, so that a long sequence scored in windows by
// successive Scorers gets the same motion features — and so the same VMAF —
// as one scored whole. A window that ends before the sequence does should
// also Push one frame past its end and drop that frame's result: motion2
// of a frame looks one frame ahead. Call Prime at most once, before Push.
func (s *Scorer) Prime(ref *frame.Frame) error {
	if s.closed {
		return ErrClosed
	}
	if s.n > 0 || s.primed > 0 {
		return fmt.Errorf("vmaf: Prime must come once, before the first Push")
	}
	if ref == nil {
		return fmt.Errorf("%w: nil frame", ErrFormatMismatch)
	}
	if err := s.checkFirst(ref); err != nil {
		return err
	}
	if s.motion != nil {
		if _, err := s.motion.Push(&ref.Planes[0]); err != nil {
			return fmt.Errorf("prime: %w", err)
		}
	}
	s.primed = 1
	return nil
}

func (s *Scorer) checkFirst(f *frame.Frame) error {
	switch f.BitDepth {
	case 8, 10, 12, 16:
	default:
		return fmt.Errorf("%w: bit depth %d (libvmaf supports 8, 10, 12, 16)", ErrUnsupportedFormat, f.BitDepth)
	}
	for c := 0; c < f.NumPlanes(); c++ {
		p := &f.Planes[c]
		if (f.BitDepth == 8 && p.Pix8 == nil) || (f.BitDepth > 8 && p.Pix16 == nil) {
			return fmt.Errorf("%w: plane %d has no samples for %d bits", ErrUnsupportedFormat, c, f.BitDepth)
		}
	}
	if s.msssim && (f.Width < MSSSIMMinSize || f.Height < MSSSIMMinSize) {
		return fmt.Errorf("%w: float_ms_ssim needs at least %dx%d, frames are %dx%d", ErrTooSmall, MSSSIMMinSize, MSSSIMMinSize, f.Width, f.Height)
	}
	hdr := *f
	hdr.Planes = [3]frame.Plane{}
	s.first = &hdr
	s.start = time.Now()
	if s.motionOn {
		s.motion = motion.New(f.Width, f.Height, f.BitDepth)
	}
	return nil
}

// Close waits for all queued frames, then returns the per-frame and pooled
// metrics. The Scorer cannot be used afterwards.
func (s *Scorer) Close() (*Result, error) {
	if s.closed {
		return nil, ErrClosed
	}
	s.closed = true
	close(s.jobs)
	s.wg.Wait()
	if err := s.getErr(); err != nil {
		return nil, err
	}
	if s.n == 0 {
		return nil, ErrNoFrames
	}
	if s.motion != nil {
		for _, m := range s.motion.Flush() {
			if m.Frame >= s.primed {
				s.mscore = append(s.mscore, m)
			}
		}
		if len(s.mscore) != s.n {
			return nil, fmt.Errorf("vmaf: motion returned %d scores for %d frames", len(s.mscore), s.n)
		}
	}
	res := &Result{Version: LibvmafVersion, FPS: math.NaN(), Pooled: map[string]Pooled{}, Aggregate: map[string]float64{}}
	if el := time.Since(s.start).Seconds(); el > 0 {
		res.FPS = float64(s.n) / el
	}
	res.Frames = make([]FrameResult, s.n)
	for i := range res.Frames {
		fr := &res.Frames[i]
		fr.Num = i
		s.frameMetrics(i, &fr.Metrics)
		for _, m := range s.models {
			v, err := m.Predict(fr.Metrics.vals)
			if err != nil {
				return nil, fmt.Errorf("frame %d: model %s: %w", i, m.Name(), err)
			}
			fr.Metrics.Set(m.Name(), v)
		}
	}
	res.pool()
	return res, nil
}

func eglSuffix(egl float64) string {
	if egl == 0 {
		return ""
	}
	return "_egl_" + strconv.FormatFloat(egl, 'g', -1, 64)
}

// frameMetrics fills m with frame i's features in libvmaf's report order.
func (s *Scorer) frameMetrics(i int, m *Metrics) {
	o := &s.results[i]
	if s.psnr {
		m.Set("psnr_y", o.psnr[0])
		if s.first.NumPlanes() == 3 {
			m.Set("psnr_cb", o.psnr[1])
			m.Set("psnr_cr", o.psnr[2])
		}
	}
	setADM := func(k int) {
		sfx := eglSuffix(s.admEGL[k])
		a := o.adm[k]
		m.Set("integer_adm2"+sfx, a.adm2)
		m.Set("integer_aim"+sfx, a.aim)
		m.Set("integer_adm3"+sfx, a.adm3)
		for j, v := range a.scale {
			m.Set("integer_adm_scale"+strconv.Itoa(j)+sfx, v)
		}
	}
	setVIF := func(k int) {
		sfx := eglSuffix(s.vifEGL[k])
		for j, v := range o.vif[k] {
			m.Set("integer_vif_scale"+strconv.Itoa(j)+sfx, v)
		}
	}
	// default-option extractors first, then option variants, as libvmaf
	hasDefADM := len(s.admEGL) > 0 && s.admEGL[0] == 0
	hasDefVIF := len(s.vifEGL) > 0 && s.vifEGL[0] == 0
	if hasDefADM {
		setADM(0)
	}
	if s.motionOn {
		m.Set("VMAF_integer_feature_motion_sad_score", s.mscore[i].Motion)
	}
	if hasDefVIF {
		setVIF(0)
	}
	for k := range s.admEGL {
		if k > 0 || !hasDefADM {
			setADM(k)
		}
	}
	for k := range s.vifEGL {
		if k > 0 || !hasDefVIF {
			setVIF(k)
		}
	}
	if s.ssim {
		m.Set("float_ssim", o.ssim)
	}
	if s.msssim {
		m.Set("float_ms_ssim", o.msssim)
	}
	if s.motionOn {
		m.Set("integer_motion2", s.mscore[i].Motion2)
		m.Set("integer_motion3", s.mscore[i].Motion3)
	}
}
