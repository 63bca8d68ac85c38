package vmaf

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
)

// FormatNumber formats a metric value as libvmaf 3.2's JSON writer does:
// "%.6f", except that a non-integer whose fractional part is below 1e-6
// (more than six leading zeros after the point) gets 16 decimals, and NaN
// or ±Inf become null.
func FormatNumber(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "null"
	}
	a := math.Abs(v)
	if frac := a - math.Floor(a); frac != 0 && frac < 1e-6 {
		return strconv.FormatFloat(v, 'f', 16, 64)
	}
	return strconv.FormatFloat(v, 'f', 6, 64)
}

// WriteJSON writes r in libvmaf's JSON report layout (version, fps,
// frames[].frameNum/metrics, pooled_metrics{min,max,mean,harmonic_mean},
// aggregate_metrics) with libvmaf's number formatting.
func WriteJSON(w io.Writer, r *Result) error {
	bw := bufio.NewWriter(w)
	p := func(format string, a ...any) { fmt.Fprintf(bw, format, a...) }
	version := r.Version
	if version == "" {
		version = LibvmafVersion
	}
	vq, _ := json.Marshal(version)
	p("{\n  \"version\": %s,\n", vq)
	if math.IsNaN(r.FPS) || math.IsInf(r.FPS, 0) {
		p("  \"fps\": null,\n")
	} else {
		p("  \"fps\": %s,\n", strconv.FormatFloat(r.FPS, 'f', 2, 64))
	}
	p("  \"frames\": [")
	for i := range r.Frames {
		f := &r.Frames[i]
		if i > 0 {
			p(",\n")
		} else {
			p("\n")
		}
		p("    {\n      \"frameNum\": %d,\n      \"metrics\": {\n", f.Num)
		for j, k := range f.Metrics.keys {
			kq, _ := json.Marshal(k)
			sep := ","
			if j == len(f.Metrics.keys)-1 {
				sep = ""
			}
			p("        %s: %s%s\n", kq, FormatNumber(f.Metrics.vals[k]), sep)
		}
		p("      }\n    }")
	}
	p("\n  ],\n  \"pooled_metrics\": {")
	for i, k := range r.PooledOrder {
		pm, ok := r.Pooled[k]
		if !ok {
			continue
		}
		if i > 0 {
			p(",\n")
		} else {
			p("\n")
		}
		kq, _ := json.Marshal(k)
		p("    %s: {\n", kq)
		p("      \"min\": %s,\n", FormatNumber(pm.Min))
		p("      \"max\": %s,\n", FormatNumber(pm.Max))
		p("      \"mean\": %s,\n", FormatNumber(pm.Mean))
		p("      \"harmonic_mean\": %s\n", FormatNumber(pm.HarmonicMean))
		p("    }")
	}
	p("\n  },\n  \"aggregate_metrics\": {")
	for i, k := range r.AggregateOrder {
		kq, _ := json.Marshal(k)
		p("\n    %s: %s", kq, FormatNumber(r.Aggregate[k]))
		if i < len(r.AggregateOrder)-1 {
			p(",")
		}
	}
	p("\n  }\n}\n")
	return bw.Flush()
}

// ReadJSON parses a libvmaf JSON report (as written by the vmaf tool or by
// WriteJSON), keeping the order of metrics. null values read as NaN.
func ReadJSON(rd io.Reader) (*Result, error) {
	dec := json.NewDecoder(rd)
	dec.UseNumber()
	res := &Result{FPS: math.NaN(), Pooled: map[string]Pooled{}, Aggregate: map[string]float64{}}
	if err := expectDelim(dec, '{'); err != nil {
		return nil, err
	}
	for dec.More() {
		key, err := readKey(dec)
		if err != nil {
			return nil, err
		}
		switch key {
		case "version":
			var s string
			if err := dec.Decode(&s); err != nil {
				return nil, fmt.Errorf("%w: version: %v", ErrBadJSON, err)
			}
			res.Version = s
		case "fps":
			v, err := readNumber(dec)
			if err != nil {
				return nil, fmt.Errorf("%w: fps: %v", ErrBadJSON, err)
			}
			res.FPS = v
		case "frames":
			if err := readFrames(dec, res); err != nil {
				return nil, err
			}
		case "pooled_metrics":
			if err := readObject(dec, func(name string) error {
				var pm Pooled
				pm.Min, pm.Max, pm.Mean, pm.HarmonicMean = math.NaN(), math.NaN(), math.NaN(), math.NaN()
				err := readObject(dec, func(m string) error {
					v, err := readNumber(dec)
					if err != nil {
						return err
					}
					switch m {
					case "min":
						pm.Min = v
					case "max":
						pm.Max = v
					case "mean":
						pm.Mean = v
					case "harmonic_mean":
						pm.HarmonicMean = v
					}
					return nil
				})
				if err != nil {
					return err
				}
				if _, dup := res.Pooled[name]; !dup {
					res.PooledOrder = append(res.PooledOrder, name)
				}
				res.Pooled[name] = pm
				return nil
			}); err != nil {
				return nil, err
			}
		case "aggregate_metrics":
			if err := readObject(dec, func(name string) error {
				v, err := readNumber(dec)
				if err != nil {
					return err
				}
				if _, dup := res.Aggregate[name]; !dup {
					res.AggregateOrder = append(res.AggregateOrder, name)
				}
				res.Aggregate[name] = v
				return nil
			}); err != nil {
				return nil, err
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, fmt.Errorf("%w: %s: %v", ErrBadJSON, key, err)
			}
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, err
	}
	return res, nil
}

func readFrames(dec *json.Decoder, res *Result) error {
	if err := expectDelim(dec, '['); err != nil {
		return err
	}
	for dec.More() {
		fr := FrameResult{Num: -1}
		err := readObject(dec, func(k string) error {
			switch k {
			case "frameNum":
				v, err := readNumber(dec)
				if err != nil {
					return err
				}
				if v != math.Trunc(v) || v < 0 {
					return fmt.Errorf("frameNum %v", v)
				}
				fr.Num = int(v)
			case "metrics":
				return readObject(dec, func(name string) error {
					v, err := readNumber(dec)
					if err != nil {
						return err
					}
					fr.Metrics.Set(name, v)
					return nil
				})
			default:
				var skip json.RawMessage
				return dec.Decode(&skip)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("%w: frames[%d]: %v", ErrBadJSON, len(res.Frames), err)
		}
		if fr.Num < 0 {
			return fmt.Errorf("%w: frames[%d] has no frameNum", ErrBadJSON, len(res.Frames))
		}
		res.Frames = append(res.Frames, fr)
	}
	return expectDelim(dec, ']')
}

func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadJSON, err)
	}
	if got, ok := tok.(json.Delim); !ok || got != d {
		return fmt.Errorf("%w: expected %q, got %v", ErrBadJSON, d, tok)
	}
	return nil
}

func readKey(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadJSON, err)
	}
	s, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("%w: expected key, got %v", ErrBadJSON, tok)
	}
	return s, nil
}

// readObject reads a JSON object, calling fn for each key with the decoder
// positioned at the value.
func readObject(dec *json.Decoder, fn func(key string) error) error {
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		k, err := readKey(dec)
		if err != nil {
			return err
		}
		if err := fn(k); err != nil {
			return err
		}
	}
	return expectDelim(dec, '}')
}

func readNumber(dec *json.Decoder) (float64, error) {
	tok, err := dec.Token()
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrBadJSON, err)
	}
	switch t := tok.(type) {
	case nil:
		return math.NaN(), nil
	case json.Number:
		v, err := strconv.ParseFloat(string(t), 64)
		if err != nil {
			return 0, fmt.Errorf("%w: number %q", ErrBadJSON, t)
		}
		return v, nil
	}
	return 0, fmt.Errorf("%w: expected number, got %v", ErrBadJSON, tok)
}
