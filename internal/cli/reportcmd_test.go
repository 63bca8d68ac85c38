package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-video/reel/report"
	"github.com/reel-video/reel/workflows"
)

// TestReportCommand: reel report renders OUT/report.json as
// OUT/report.html and prints its location; a missing, broken or
// too-new report.json is an error that says which.
func TestReportCommand(t *testing.T) {
	ctx := context.Background()
	good := t.TempDir()
	r := report.Report{SchemaVersion: report.SchemaVersion, Title: report.Title{ID: "clip-<b>42</b>"},
		Rungs: []report.Rung{{ID: "360p", Width: 640, Height: 360, Codec: "h264", BitrateKbps: 800,
			VMAF: report.VMAF{Mean: 90, PerFrame: []float64{90, 91, 89}}}}}
	var buf bytes.Buffer
	if err := r.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(good, "report.json"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := reel(ctx, "report", good)
	html := filepath.Join(good, "report.html")
	if code != exitOK || strings.TrimSpace(stdout) != "report: "+html {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	b, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("clip-&lt;b&gt;42&lt;/b&gt;")) || bytes.Contains(b, []byte("<b>42</b>")) {
		t.Errorf("report.html does not show the title id escaped")
	}

	broken := t.TempDir()
	if err := os.WriteFile(filepath.Join(broken, "report.json"), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	future := t.TempDir()
	if err := os.WriteFile(filepath.Join(future, "report.json"), []byte(`{"schema_version": 99}`), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := t.TempDir()
	for _, tc := range []struct {
		name, out string
		code      int
		want      []string
	}{
		{"missing", missing, exitFailed, []string{"no readable report.json", filepath.Join(missing, "report.json")}},
		{"not json", broken, exitFailed, []string{"not a report this reel reads", filepath.Join(broken, "report.json")}},
		{"schema version", future, exitFailed, []string{"schema_version 99"}},
		{"bad location", "s3://", exitUsage, []string{"OUT:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := reel(ctx, "report", tc.out)
			if code != tc.code || stdout != "" || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", code, tc.code, stdout, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
			if _, err := os.Stat(filepath.Join(tc.out, "report.html")); err == nil {
				t.Errorf("report.html written")
			}
		})
	}
}

// TestPrintResultNamesReportHTML: a run's summary names report.html when
// the report stage wrote it, and only then.
func TestPrintResultNamesReportHTML(t *testing.T) {
	var out bytes.Buffer
	printResult(&Env{Stdout: &out, Stderr: &out}, workflows.TitleResult{ReportPath: "/o/report.json", ReportHTML: "/o/report.html"}, false)
	if !strings.Contains(out.String(), "report: /o/report.json\nreport html: /o/report.html\n") {
		t.Errorf("summary:\n%s", out.String())
	}
	out.Reset()
	printResult(&Env{Stdout: &out, Stderr: &out}, workflows.TitleResult{ReportPath: "/o/report.json"}, false)
	if strings.Contains(out.String(), "html") {
		t.Errorf("summary without report.html:\n%s", out.String())
	}
}
