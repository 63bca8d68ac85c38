package profile

import (
	"errors"
	"strings"
	"testing"
)

func TestGateAndPackage(t *testing.T) {
	p := mustParse(t, "qc:\n  gate: fail\n  gate_timeout: 48h\n  black: {severity: blocker}\npackage: {formats: [dash], iframes: false}\n")
	if p.Gate.Mode != GateFail || p.Gate.TimeoutSeconds != 48*3600 {
		t.Fatalf("gate %+v", p.Gate)
	}
	if _, ok := p.QC["gate"]; ok {
		t.Fatal("qc.gate left in the checks' settings")
	}
	if _, ok := p.QC["black"]; !ok {
		t.Fatal("the checks' settings lost")
	}
	if len(p.Package.Formats) != 1 || p.Package.IFramesOn() {
		t.Fatalf("package %+v", p.Package)
	}
	d := Default()
	if d.Gate.Mode != GateHold || d.Gate.TimeoutSeconds != 0 || len(d.Package.Formats) != 2 || !d.Package.IFramesOn() {
		t.Fatalf("defaults: gate %+v package %+v", d.Gate, d.Package)
	}
	if p := mustParse(t, "qc: {gate_timeout: 90}\npackage: {formats: []}\n"); p.Gate.TimeoutSeconds != 90 || len(p.Package.Formats) != 0 || p.Package.Formats == nil {
		t.Fatalf("seconds timeout / no formats: %+v %+v", p.Gate, p.Package)
	}
	for y, want := range map[string]string{
		"qc: {gate: maybe}\n":                 `qc.gate "maybe" unknown`,
		"qc: {gate: 3}\n":                     "qc.gate 3",
		"qc: {gate_timeout: soon}\n":          `qc.gate_timeout "soon"`,
		"qc: {gate_timeout: -5}\n":            "qc.gate_timeout -5s out of range",
		"package: {formats: [hls, smooth]}\n": `package.formats[1] "smooth" unknown`,
		"package: {formats: [hls, hls]}\n":    `package.formats[1]: "hls" listed twice`,
	} {
		_, err := Parse(strings.NewReader(y))
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one naming %q", y, err, want)
		}
	}
}
