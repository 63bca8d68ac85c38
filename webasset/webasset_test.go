package webasset

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// libraries are the npm packages vendored in vendor/: the dist file
// pages load and the version string it carries.
var libraries = []struct {
	npm, dist, marker string
}{
	{"hls.js", HLSjs, `"%s"`},
	{"shaka-player", Shaka, `.version="v%s"`},
	{"uplot", UPlot, `(v%s)`},
}

// TestVendored: package.json pins each library exactly, the lock file has
// that version, and the vendored dist file (embedded, what pages load) is
// that version, with its licenses.
func TestVendored(t *testing.T) {
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	var lock struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	for path, v := range map[string]any{"package.json": &pkg, "package-lock.json": &lock} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	if len(pkg.Dependencies) != len(libraries) {
		t.Errorf("package.json dependencies %v, want the %d vendored libraries", pkg.Dependencies, len(libraries))
	}
	for _, l := range libraries {
		want := pkg.Dependencies[l.npm]
		if want == "" || strings.ContainsAny(want, "^~<>=* ") {
			t.Errorf("package.json: %s %q, want an exact version", l.npm, want)
		}
		if got := lock.Packages["node_modules/"+l.npm].Version; got != want {
			t.Errorf("package-lock.json: %s %s, package.json %s", l.npm, got, want)
		}
		dist, err := ReadFile(l.dist)
		if err != nil {
			t.Fatal(err)
		}
		if marker := strings.Replace(l.marker, "%s", want, 1); !strings.Contains(string(dist), marker) {
			t.Errorf("%s does not carry version %s (%s): refresh vendor/ (README.md)", l.dist, want, marker)
		}
		lic := Licenses(l.dist)
		if len(lic) == 0 {
			t.Errorf("%s: no license files listed", l.dist)
		}
		for _, f := range lic {
			if _, err := ReadFile(f); err != nil {
				t.Errorf("license: %v", err)
			}
		}
	}
	if _, err := ReadFile(UPlotCSS); err != nil {
		t.Error(err)
	}
}
