package browsertest

import (
	"encoding/json"
	"io/fs"
	"os"
	"strings"
	"testing"
)

// players are the npm packages vendored in web/vendor: the dist file the
// pages load, the version string it carries, and the licenses kept
// beside it.
var players = []struct {
	name, dist, marker string
	licenses           []string
}{
	{"hls.js", "vendor/hls.js/hls.min.js", `"%s"`, []string{"vendor/hls.js/LICENSE"}},
	{"shaka-player", "vendor/shaka-player/shaka-player.compiled.js", `.version="v%s"`, []string{
		"vendor/shaka-player/LICENSE", "vendor/shaka-player/third_party/SUMMARY.txt",
		"vendor/shaka-player/third_party/cml-cmcd/LICENSE", "vendor/shaka-player/third_party/language-mapping-list/LICENSE"}},
}

// TestVendoredPlayers: package.json pins each player exactly, the lock
// file has that version, and the vendored dist file (embedded, what the
// pages load) is that version, with its licenses.
func TestVendoredPlayers(t *testing.T) {
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	var lock struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	for path, v := range map[string]any{"web/package.json": &pkg, "web/package-lock.json": &lock} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	if len(pkg.Dependencies) != len(players) {
		t.Errorf("package.json dependencies %v, want %d players", pkg.Dependencies, len(players))
	}
	for _, p := range players {
		want := pkg.Dependencies[p.name]
		if want == "" || strings.ContainsAny(want, "^~<>=* ") {
			t.Errorf("package.json: %s %q, want an exact version", p.name, want)
		}
		if got := lock.Packages["node_modules/"+p.name].Version; got != want {
			t.Errorf("package-lock.json: %s %s, package.json %s", p.name, got, want)
		}
		dist, err := fs.ReadFile(webFS, "web/"+p.dist)
		if err != nil {
			t.Fatal(err)
		}
		if marker := strings.Replace(p.marker, "%s", want, 1); !strings.Contains(string(dist), marker) {
			t.Errorf("%s does not carry version %s (%s): refresh web/vendor (web/README.md)", p.dist, want, marker)
		}
		for _, l := range p.licenses {
			if _, err := fs.Stat(webFS, "web/"+l); err != nil {
				t.Errorf("license: %v", err)
			}
		}
	}
}
