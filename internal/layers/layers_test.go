package layers

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const module = "github.com/reel-video/reel"

// row is one line of the architecture table.
type row struct {
	index     int
	packages  []string // module-relative paths
	forbidden []string // backticked tokens of "must not import"
}

// pkg is what go list says of one package.
type pkg struct {
	ImportPath string
	Standard   bool
	CgoFiles   []string
	Imports    []string
	Deps       []string
}

var backticked = regexp.MustCompile("`([^`]+)`")

// parseTable reads the first table under "## Architecture".
func parseTable(readme string) ([]row, error) {
	_, after, ok := strings.Cut(readme, "\n## Architecture\n")
	if !ok {
		return nil, errors.New(`README has no "## Architecture" section`)
	}
	var rows []row
	sc := bufio.NewScanner(strings.NewReader(after))
	inTable := false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "|") {
			if inTable {
				break
			}
			continue
		}
		inTable = true
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) != 3 {
			return nil, fmt.Errorf("architecture table row %q: want 3 columns", line)
		}
		first := strings.TrimSpace(cells[0])
		if first == "package" || strings.HasPrefix(first, "---") {
			continue
		}
		r := row{index: len(rows)}
		for _, m := range backticked.FindAllStringSubmatch(cells[0], -1) {
			r.packages = append(r.packages, m[1])
		}
		if len(r.packages) == 0 {
			return nil, fmt.Errorf("architecture table row %q names no package", line)
		}
		for _, m := range backticked.FindAllStringSubmatch(cells[2], -1) {
			r.forbidden = append(r.forbidden, m[1])
		}
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		return nil, errors.New("README's architecture section has no table")
	}
	return rows, nil
}

// rowOf returns the row whose package is p or the longest prefix of it.
func rowOf(rows []row, rel string) (row, bool) {
	best, bestLen := row{}, -1
	for _, r := range rows {
		for _, p := range r.packages {
			if (rel == p || strings.HasPrefix(rel, p+"/")) && len(p) > bestLen {
				best, bestLen = r, len(p)
			}
		}
	}
	return best, bestLen >= 0
}

// forbids reports whether the token forbids the dependency dep.
func forbids(token string, dep *pkg) bool {
	path := dep.ImportPath
	switch {
	case token == "temporal":
		return strings.HasPrefix(path, "go.temporal.io/")
	case token == "cgo":
		return !dep.Standard && len(dep.CgoFiles) > 0
	case token == "internal/":
		return strings.HasPrefix(path, module+"/internal/")
	case strings.Contains(strings.SplitN(token, "/", 2)[0], "."):
		return path == token || strings.HasPrefix(path, token+"/")
	default:
		full := module + "/" + token
		return path == full || strings.HasPrefix(path, full+"/")
	}
}

// check returns every violation of the table by the module's packages.
func check(rows []row, pkgs map[string]*pkg) []string {
	var bad []string
	for path, p := range pkgs {
		rel, ok := strings.CutPrefix(path, module+"/")
		if !ok || p.Standard {
			continue
		}
		r, ok := rowOf(rows, rel)
		if !ok {
			bad = append(bad, fmt.Sprintf("%s is not in README's architecture table", rel))
			continue
		}
		for _, imp := range p.Imports {
			irel, ok := strings.CutPrefix(imp, module+"/")
			if !ok {
				continue
			}
			if ir, ok := rowOf(rows, irel); ok && ir.index < r.index {
				bad = append(bad, fmt.Sprintf("%s imports %s, which is above it in the architecture table", rel, irel))
			}
		}
		for _, tok := range r.forbidden {
			for _, d := range append([]string{path}, p.Deps...) {
				dep, ok := pkgs[d]
				if !ok {
					continue
				}
				if forbids(tok, dep) && (d != path || tok == "cgo") {
					bad = append(bad, fmt.Sprintf("%s must not import `%s`, but depends on %s", rel, tok, d))
				}
			}
		}
	}
	return bad
}

// decodePackages reads go list -json's stream of packages.
func decodePackages(r io.Reader) (map[string]*pkg, error) {
	pkgs := map[string]*pkg{}
	dec := json.NewDecoder(r)
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			return pkgs, nil
		} else if err != nil {
			return nil, err
		}
		pkgs[p.ImportPath] = &p
	}
}

func TestLayers(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := parseTable(string(readme))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-deps", "-json", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs, err := decodePackages(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range check(rows, pkgs) {
		t.Error(v)
	}
	// Rows that name no package are stale (or name one still to come).
	for _, r := range rows {
		for _, p := range r.packages {
			if _, ok := pkgs[module+"/"+p]; !ok && !hasSub(pkgs, module+"/"+p) {
				t.Logf("architecture table names %s, which has no package", p)
			}
		}
	}
}

func hasSub(pkgs map[string]*pkg, prefix string) bool {
	for p := range pkgs {
		if strings.HasPrefix(p, prefix+"/") {
			return true
		}
	}
	return false
}

// The checker finds each kind of violation in a made-up module.
func TestCheckFindsViolations(t *testing.T) {
	table := "intro\n\n## Architecture\n\n| package | owns | must not import |\n|---|---|---|\n" +
		"| `app` | top | — |\n" +
		"| `flow` | workflows | `cgo`, `internal/`, `codec` |\n" +
		"| `codec`, `codec/sub` | cgo | `temporal` |\n" +
		"| `base` | data | `go.example.com/heavy` |\n\nafter\n"
	rows, err := parseTable(table)
	if err != nil {
		t.Fatal(err)
	}
	m := func(rel string) string { return module + "/" + rel }
	pkgs := map[string]*pkg{
		m("app"):                    {ImportPath: m("app"), Imports: []string{m("flow")}, Deps: []string{m("flow")}},
		m("flow"):                   {ImportPath: m("flow"), Imports: []string{m("base"), m("internal/x")}, Deps: []string{m("base"), m("internal/x"), m("codec/sub")}},
		m("internal/x"):             {ImportPath: m("internal/x")},
		m("codec"):                  {ImportPath: m("codec"), Imports: []string{m("app")}, Deps: []string{m("app"), "go.temporal.io/sdk/client"}},
		m("codec/sub"):              {ImportPath: m("codec/sub"), CgoFiles: []string{"a.go"}},
		m("base"):                   {ImportPath: m("base"), Deps: []string{"go.example.com/heavy/y"}},
		m("stray"):                  {ImportPath: m("stray")},
		"go.temporal.io/sdk/client": {ImportPath: "go.temporal.io/sdk/client"},
		"go.example.com/heavy/y":    {ImportPath: "go.example.com/heavy/y"},
		"runtime/cgo":               {ImportPath: "runtime/cgo", Standard: true, CgoFiles: []string{"c.go"}},
	}
	got := strings.Join(check(rows, pkgs), "\n")
	for _, want := range []string{
		"stray is not in README's architecture table",
		"internal/x is not in README's architecture table",
		"codec imports app, which is above it",
		"codec must not import `temporal`, but depends on go.temporal.io/sdk/client",
		"flow must not import `cgo`, but depends on " + m("codec/sub"),
		"flow must not import `internal/`, but depends on " + m("internal/x"),
		"flow must not import `codec`, but depends on " + m("codec/sub"),
		"base must not import `go.example.com/heavy`, but depends on go.example.com/heavy/y",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("violations lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "app imports") || strings.Contains(got, "runtime/cgo") {
		t.Errorf("false violation:\n%s", got)
	}
}
