package mezzfs

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// FuzzReadTrace feeds arbitrary JSON lines to ReadTrace: it never panics,
// never accepts a negative offset or length, and what it accepts written
// again by a TraceWriter reads back as the same records. Seeds are the
// trace lines the reader tests record and the bad trace they refuse.
func FuzzReadTrace(f *testing.F) {
	f.Add([]byte(`{"key":"m.mov","off":8388508,"len":100,"time":"2025-01-02T03:04:05.000000006Z"}` + "\n" +
		`{"key":"m.mov","off":0,"len":65536,"time":"2025-01-02T03:04:05.1Z"}` + "\n\n" +
		`{"off":5242880,"len":10,"time":"2025-01-02T03:04:06+02:00"}`))
	f.Add([]byte("{not json\n"))
	f.Add([]byte(`{"off":-1,"len":1,"time":"2025-01-02T03:04:05Z"}`))
	f.Add([]byte(`{"off":1,"len":-1}`))
	f.Add([]byte(`{"off":1e30,"len":1}` + "\n"))
	f.Add([]byte(`{"key":"\u00e9\ud800","off":0,"len":0,"time":"0001-01-01T00:00:00Z"}`))
	f.Add([]byte(strings.Repeat("x", 70<<10)))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := ReadTrace(bytes.NewReader(data))
		if err != nil {
			if recs != nil {
				t.Fatalf("records and error %v", err)
			}
			return
		}
		var buf bytes.Buffer
		tw := NewTraceWriter(&buf)
		for _, r := range recs {
			if r.Off < 0 || r.Len < 0 {
				t.Fatalf("accepted %+v", r)
			}
			tw.now = func() time.Time { return r.Time }
			tw.record(r.Key, r.Off, r.Len)
		}
		if err := tw.Err(); err != nil {
			t.Fatalf("accepted records do not write: %v", err)
		}
		again, err := ReadTrace(&buf)
		if err != nil || len(again) != len(recs) {
			t.Fatalf("written trace reads back %d records, %v; want %d\n%s", len(again), err, len(recs), buf.Bytes())
		}
		for i, r := range recs {
			a := again[i]
			if a.Key != r.Key || a.Off != r.Off || a.Len != r.Len || !a.Time.Equal(r.Time) {
				t.Fatalf("record %d: %+v, then %+v", i, r, a)
			}
		}
	})
}
