package report

import (
	"bytes"
	"strings"
	"testing"
)

// Reports of every schema version this reel knows are read; newer and
// older ones are refused naming the version.
func TestReadVersions(t *testing.T) {
	for v := MinSchemaVersion; v <= SchemaVersion; v++ {
		var buf bytes.Buffer
		r := Report{SchemaVersion: v, Title: Title{ID: "t"}}
		if err := r.Write(&buf); err != nil {
			t.Fatal(err)
		}
		got, err := Read(&buf)
		if err != nil || got.Title.ID != "t" || got.SchemaVersion != v {
			t.Fatalf("version %d: %+v, %v", v, got, err)
		}
	}
	for _, v := range []string{"0", "99"} {
		_, err := Read(strings.NewReader(`{"schema_version": ` + v + `}`))
		if err == nil || !strings.Contains(err.Error(), "schema_version "+v) {
			t.Errorf("version %s: error %v", v, err)
		}
	}
}
