package vmaf

import (
	"embed"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

//go:embed models/*.json models/LICENSE
var embeddedModels embed.FS

// DefaultModel is the model version used when Config.Model is empty.
const DefaultModel = "vmaf_v0.6.1"

// ModelVersions returns the versions of the embedded models, sorted.
func ModelVersions() []string {
	ents, _ := embeddedModels.ReadDir("models")
	var out []string
	for _, e := range ents {
		if n, ok := strings.CutSuffix(e.Name(), ".json"); ok {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// ModelOptions changes how a model's prediction is post-processed, as
// libvmaf's model flags do.
type ModelOptions struct {
	// DisableClip turns off the model's score_clip (libvmaf
	// "disable_clip").
	DisableClip bool
	// EnableTransform turns on the model's score_transform (libvmaf
	// "enable_transform"; off by default in libvmaf, as here).
	EnableTransform bool
	// Name overrides the output name of the model's score (default "vmaf").
	Name string
}

// ModelFeature is one input of a model.
type ModelFeature struct {
	// Name is the feature's key in reports, as libvmaf names it, e.g.
	// "integer_adm2" or, with an enhancement gain limit option,
	// "integer_adm2_egl_1".
	Name string
	// Base is the key without option suffix ("integer_adm2").
	Base string
	// EnhnGainLimit is the adm/vif enhn_gain_limit option from the model's
	// feature_opts_dicts, or 0 when the extractor default applies.
	EnhnGainLimit float64
	// Slope and Intercept are the linear_rescale normalisation.
	Slope, Intercept float64
}

type polyTerm struct {
	enabled bool
	value   float64
}

type knot struct{ x, y float64 }

// Model is a parsed libvmaf SVM (LIBSVMNUSVR) model. It is read-only after
// parsing and safe for concurrent use.
type Model struct {
	name     string
	features []ModelFeature
	// normalisation of the prediction
	linear           bool
	slope, intercept float64

	transform struct {
		enabled    bool
		p0, p1, p2 polyTerm
		knots      []knot
		outLTEIn   bool
		outGTEIn   bool
	}
	clip struct {
		enabled  bool
		min, max float64
	}
	svm *svmModel
}

// LoadModel returns an embedded model by version ("vmaf_v0.6.1",
// "vmaf_v0.6.1neg", "vmaf_4k_v0.6.1"); an empty version means
// DefaultModel.
func LoadModel(version string, opt ModelOptions) (*Model, error) {
	if version == "" {
		version = DefaultModel
	}
	data, err := embeddedModels.ReadFile("models/" + version + ".json")
	if err != nil || strings.ContainsAny(version, "/\\") {
		return nil, fmt.Errorf("%w: %q (have %s)", ErrUnknownModel, version, strings.Join(ModelVersions(), ", "))
	}
	return ParseModel(data, opt)
}

// rawModel mirrors the parts of libvmaf's JSON model format used here.
type rawModel struct {
	ModelDict *struct {
		Model            *string                      `json:"model"`
		ModelType        string                       `json:"model_type"`
		NormType         string                       `json:"norm_type"`
		FeatureNames     []string                     `json:"feature_names"`
		FeatureOptsDicts []map[string]json.RawMessage `json:"feature_opts_dicts"`
		Slopes           []float64                    `json:"slopes"`
		Intercepts       []float64                    `json:"intercepts"`
		ScoreClip        []float64                    `json:"score_clip"`
		ScoreTransform   map[string]json.RawMessage   `json:"score_transform"`
	} `json:"model_dict"`
}

// ParseModel parses a libvmaf JSON model (the format of libvmaf's
// model/*.json files).
func ParseModel(data []byte, opt ModelOptions) (*Model, error) {
	var raw rawModel
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadModel, err)
	}
	d := raw.ModelDict
	if d == nil {
		return nil, fmt.Errorf("%w: no model_dict", ErrBadModel)
	}
	if d.ModelType != "LIBSVMNUSVR" {
		return nil, fmt.Errorf("%w: model_type %q not supported", ErrBadModel, d.ModelType)
	}
	m := &Model{name: "vmaf"}
	if opt.Name != "" {
		m.name = opt.Name
	}
	switch d.NormType {
	case "linear_rescale":
		m.linear = true
	case "none", "":
	default:
		return nil, fmt.Errorf("%w: norm_type %q", ErrBadModel, d.NormType)
	}
	n := len(d.FeatureNames)
	if n == 0 {
		return nil, fmt.Errorf("%w: no feature_names", ErrBadModel)
	}
	if m.linear && (len(d.Slopes) != n+1 || len(d.Intercepts) != n+1) {
		return nil, fmt.Errorf("%w: %d features but %d slopes and %d intercepts", ErrBadModel, n, len(d.Slopes), len(d.Intercepts))
	}
	if len(d.FeatureOptsDicts) > n {
		return nil, fmt.Errorf("%w: more feature_opts_dicts than features", ErrBadModel)
	}
	if m.linear {
		m.slope, m.intercept = d.Slopes[0], d.Intercepts[0]
	}
	for i, fn := range d.FeatureNames {
		base, err := featureKey(fn)
		if err != nil {
			return nil, err
		}
		f := ModelFeature{Name: base, Base: base}
		if m.linear {
			f.Slope, f.Intercept = d.Slopes[i+1], d.Intercepts[i+1]
		}
		if i < len(d.FeatureOptsDicts) {
			for k, v := range d.FeatureOptsDicts[i] {
				switch k {
				case "adm_enhn_gain_limit", "vif_enhn_gain_limit":
					val, err := strconv.ParseFloat(string(v), 64)
					if err != nil {
						return nil, fmt.Errorf("%w: feature option %s=%s", ErrBadModel, k, v)
					}
					f.EnhnGainLimit = val
					f.Name = base + "_egl_" + strconv.FormatFloat(val, 'g', -1, 64)
				default:
					return nil, fmt.Errorf("%w: feature option %q not supported", ErrBadModel, k)
				}
			}
		}
		m.features = append(m.features, f)
	}
	if len(d.ScoreClip) == 2 && !opt.DisableClip {
		m.clip.enabled = true
		m.clip.min, m.clip.max = d.ScoreClip[0], d.ScoreClip[1]
	}
	if d.ScoreTransform != nil && opt.EnableTransform {
		if err := m.parseTransform(d.ScoreTransform); err != nil {
			return nil, err
		}
	}
	if d.Model == nil {
		return nil, fmt.Errorf("%w: no libsvm model", ErrBadModel)
	}
	svm, err := parseSVM(*d.Model)
	if err != nil {
		return nil, err
	}
	for _, sv := range svm.sv {
		if len(sv) > n {
			return nil, fmt.Errorf("%w: support vector has %d dimensions, model has %d features", ErrBadModel, len(sv), n)
		}
	}
	m.svm = svm
	return m, nil
}

func (m *Model) parseTransform(t map[string]json.RawMessage) error {
	m.transform.enabled = true
	poly := func(k string, p *polyTerm) error {
		v, ok := t[k]
		if !ok || string(v) == "null" {
			return nil
		}
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return fmt.Errorf("%w: score_transform %s=%s", ErrBadModel, k, v)
		}
		*p = polyTerm{true, f}
		return nil
	}
	if err := poly("p0", &m.transform.p0); err != nil {
		return err
	}
	if err := poly("p1", &m.transform.p1); err != nil {
		return err
	}
	if err := poly("p2", &m.transform.p2); err != nil {
		return err
	}
	if v, ok := t["knots"]; ok && string(v) != "null" {
		var ks [][]float64
		if err := json.Unmarshal(v, &ks); err != nil {
			return fmt.Errorf("%w: score_transform knots: %v", ErrBadModel, err)
		}
		for _, k := range ks {
			if len(k) != 2 {
				return fmt.Errorf("%w: score_transform knot %v", ErrBadModel, k)
			}
			m.transform.knots = append(m.transform.knots, knot{k[0], k[1]})
		}
	}
	flag := func(k string) bool {
		var s string
		return json.Unmarshal(t[k], &s) == nil && s == "true"
	}
	m.transform.outLTEIn = flag("out_lte_in")
	m.transform.outGTEIn = flag("out_gte_in")
	return nil
}

// featureKey maps a libvmaf model feature name to its report key.
func featureKey(name string) (string, error) {
	if s, ok := strings.CutPrefix(name, "VMAF_integer_feature_"); ok {
		if s, ok = strings.CutSuffix(s, "_score"); ok {
			switch s {
			case "adm2", "motion2", "motion3", "vif_scale0", "vif_scale1", "vif_scale2", "vif_scale3",
				"adm_scale0", "adm_scale1", "adm_scale2", "adm_scale3", "aim", "adm3":
				return "integer_" + s, nil
			}
		}
	}
	return "", fmt.Errorf("%w: model feature %q (only libvmaf's integer features are implemented)", ErrUnknownFeature, name)
}

// Name returns the key the model's score is reported under.
func (m *Model) Name() string { return m.name }

// Features returns the model's inputs in model order.
func (m *Model) Features() []ModelFeature { return append([]ModelFeature(nil), m.features...) }

// Predict computes the model's score from feature values keyed by
// ModelFeature.Name, following libvmaf's predict.c: linear_rescale
// normalisation, nu-SVR with RBF kernel, denormalisation, the optional
// score transform, then clipping.
func (m *Model) Predict(features map[string]float64) (float64, error) {
	x := make([]float64, len(m.features))
	for i, f := range m.features {
		v, ok := features[f.Name]
		if !ok {
			return 0, fmt.Errorf("%w: %s", ErrMissingFeature, f.Name)
		}
		x[i] = v
	}
	return m.PredictVector(x), nil
}

// PredictVector is Predict with the features given in model order. It
// panics if len(x) differs from the number of features.
func (m *Model) PredictVector(x []float64) float64 {
	if len(x) != len(m.features) {
		panic(fmt.Sprintf("vmaf: PredictVector got %d features, model has %d", len(x), len(m.features)))
	}
	node := make([]float64, len(x))
	for i, v := range x {
		if m.linear {
			f := m.features[i]
			v = float64(f.Slope*v) + f.Intercept
		}
		node[i] = v
	}
	p := m.svm.predict(node)
	if m.linear {
		p = (p - m.intercept) / m.slope
	}
	p = m.applyTransform(p)
	if m.clip.enabled {
		if p < m.clip.min {
			p = m.clip.min
		}
		if p > m.clip.max {
			p = m.clip.max
		}
	}
	return p
}

// applyTransform follows libvmaf's predict.c transform(): polynomial, then
// piecewise-linear knots, then rectification — which, in libvmaf's C code,
// compares with the input of the knots stage (the polynomial's output), not
// with the raw prediction.
func (m *Model) applyTransform(in float64) float64 {
	t := &m.transform
	if !t.enabled {
		return in
	}
	stage := in
	out := stage
	if t.p0.enabled || t.p1.enabled || t.p2.enabled {
		out = 0
		if t.p0.enabled {
			out += t.p0.value
		}
		if t.p1.enabled {
			out += float64(t.p1.value * stage)
		}
		if t.p2.enabled {
			out += float64(float64(t.p2.value*stage) * stage)
		}
	}
	stage = out
	if len(t.knots) > 1 {
		out = piecewiseLinear(stage, t.knots)
	}
	if t.outLTEIn && out > stage {
		out = stage
	}
	if t.outGTEIn && out < stage {
		out = stage
	}
	return out
}

// piecewiseLinear maps x through the knots as libvmaf does, extrapolating
// the first and last segments.
func piecewiseLinear(x float64, ks []knot) float64 {
	y := 0.0
	n := len(ks) - 1
	for i := 0; i < n; i++ {
		a, b := ks[i], ks[i+1]
		if !(a.x < b.x && a.y <= b.y) {
			return 0
		}
		in := a.x <= x && x <= b.x
		if a.y == b.y {
			if in || (i == 0 && x < a.x) || (i > 0 && i == n-1 && x > b.x) {
				y = a.y
			}
			continue
		}
		var slope, off float64
		if a.x == 0 {
			off = a.y
			slope = (b.y - off) / b.x
		} else {
			off = (b.y * (a.y - a.x)) / (b.x - a.x)
			slope = (a.y - off) / a.x
		}
		if in || (i == 0 && x < a.x) || (i > 0 && i == n-1 && x > b.x) {
			y = float64(slope*x) + off
		}
	}
	return y
}

// svmModel is a libsvm nu-SVR model with an RBF kernel, support vectors
// stored densely (absent indices are zero, which gives the same sums as
// libsvm's sparse walk).
type svmModel struct {
	gamma float64
	rho   float64
	coef  []float64
	sv    [][]float64
}

func parseSVM(text string) (*svmModel, error) {
	s := &svmModel{gamma: math.NaN(), rho: math.NaN()}
	lines := strings.Split(text, "\n")
	i := 0
	for ; i < len(lines); i++ {
		f := strings.Fields(lines[i])
		if len(f) == 0 {
			continue
		}
		if f[0] == "SV" {
			i++
			break
		}
		bad := func() error { return fmt.Errorf("%w: libsvm header line %q", ErrBadModel, lines[i]) }
		switch f[0] {
		case "svm_type":
			if len(f) != 2 || f[1] != "nu_svr" {
				return nil, bad()
			}
		case "kernel_type":
			if len(f) != 2 || f[1] != "rbf" {
				return nil, bad()
			}
		case "gamma", "rho":
			if len(f) != 2 {
				return nil, bad()
			}
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				return nil, bad()
			}
			if f[0] == "gamma" {
				s.gamma = v
			} else {
				s.rho = v
			}
		}
	}
	if math.IsNaN(s.gamma) || math.IsNaN(s.rho) {
		return nil, fmt.Errorf("%w: libsvm model lacks gamma or rho", ErrBadModel)
	}
	for ; i < len(lines); i++ {
		f := strings.Fields(lines[i])
		if len(f) == 0 {
			continue
		}
		c, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			return nil, fmt.Errorf("%w: SV line %q", ErrBadModel, lines[i])
		}
		var sv []float64
		last := 0
		for _, kv := range f[1:] {
			k, v, ok := strings.Cut(kv, ":")
			idx, err1 := strconv.Atoi(k)
			val, err2 := strconv.ParseFloat(v, 64)
			if !ok || err1 != nil || err2 != nil || idx <= last || idx > 64 {
				return nil, fmt.Errorf("%w: SV entry %q", ErrBadModel, kv)
			}
			last = idx
			for len(sv) < idx {
				sv = append(sv, 0)
			}
			sv[idx-1] = val
		}
		s.coef = append(s.coef, c)
		s.sv = append(s.sv, sv)
	}
	if len(s.sv) == 0 {
		return nil, fmt.Errorf("%w: no support vectors", ErrBadModel)
	}
	return s, nil
}

// predict evaluates sum_i coef_i * exp(-gamma*|x-sv_i|^2) - rho, summing
// in libsvm's order.
func (s *svmModel) predict(x []float64) float64 {
	sum := 0.0
	for i, sv := range s.sv {
		d2 := 0.0
		for j, xv := range x {
			var d float64
			if j < len(sv) {
				d = xv - sv[j]
			} else {
				d = xv
			}
			d2 += float64(d * d)
		}
		sum += float64(s.coef[i] * math.Exp(-s.gamma*d2))
	}
	return sum - s.rho
}
