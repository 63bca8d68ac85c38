package report

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

// FuzzRead feeds report.json candidates to Read: it never panics, refuses
// schema versions it does not read, and whatever it accepts writes out
// and reads back to the same document (Write∘Read is idempotent). Seeds
// are TestReadVersions' reports and a report with every section.
func FuzzRead(f *testing.F) {
	for v := MinSchemaVersion; v <= SchemaVersion; v++ {
		var buf bytes.Buffer
		if err := (&Report{SchemaVersion: v, Title: Title{ID: "t"}}).Write(&buf); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	for _, v := range []string{"0", "99", "-1", "1e3", "2.5", `"2"`, "null"} {
		f.Add([]byte(`{"schema_version": ` + v + `}`))
	}
	v := strconv.Itoa(SchemaVersion)
	f.Add([]byte(`{"schema_version":` + v + `,"title":{"id":"a","source":"s.mov","out":"o","workflow_id":"reel-title/a","run_id":"r"},` +
		`"profile":"p","source":{"container":"mov","streams":[{"index":0,"type":"video","codec":"h264","width":1920,"height":1080}]},` +
		`"rungs":[{"id":"1080p","path":"1080p.mp4","width":1920,"height":1080,"frames":132,"vmaf":{"mean":95.5}}],` +
		`"qc":{"source":{"path":"qc/source.json","frames":132,"events":[{"check":"black","severity":"warning","start_frame":0,"end_frame":5}]},"summary":{"warning":1}},` +
		`"shots":[{"start":0,"end":132}],"timings":{"probe":0.1},"warnings":["w"],"created_at":"2026-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"schema_version":` + v + `,"rungs":[],"audio":[],"timings":{},"warnings":null,"Schema_Version":0}`))
	f.Add([]byte(`{"schema_version":` + v + `} trailing`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Read(bytes.NewReader(data))
		if err != nil {
			if r != nil {
				t.Fatalf("report and error %v", err)
			}
			return
		}
		if r.SchemaVersion < MinSchemaVersion || r.SchemaVersion > SchemaVersion {
			t.Fatalf("accepted schema_version %d", r.SchemaVersion)
		}
		var once bytes.Buffer
		if err := r.Write(&once); err != nil {
			t.Fatalf("accepted report does not write: %v", err)
		}
		r2, err := Read(bytes.NewReader(once.Bytes()))
		if err != nil {
			t.Fatalf("written report does not read: %v\n%s", err, once.Bytes())
		}
		var twice bytes.Buffer
		if err := r2.Write(&twice); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(once.Bytes(), twice.Bytes()) {
			t.Fatalf("write, read, write differs:\n%s\n---\n%s", once.Bytes(), twice.Bytes())
		}
		if !strings.HasSuffix(once.String(), "}\n") {
			t.Fatalf("written report is not one JSON object: %q", once.String())
		}
	})
}
