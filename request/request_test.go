package request

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func baseRequest() Identity {
	return Identity{
		TitleID: "clip",
		Source: Source{Location: "/m/clip.mkv", Size: 1_200_000, ModTime: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC),
			HeadSHA256: "aa", TailSHA256: "bb"},
		ProfileName: "default", ProfileHash: "sha256:0123456789abcdef0123",
		Out: "/o/o1",
	}
}

func TestDecide(t *testing.T) {
	started := time.Date(2026, 12, 1, 10, 4, 0, 0, time.UTC)
	prior := func(st Status, req *Identity) *Prior {
		p := &Prior{RunID: "r1", Status: st, Request: req, Started: started}
		if st != Running {
			p.Closed = started.Add(time.Minute)
		}
		return p
	}
	same := baseRequest()
	newMaster := baseRequest()
	newMaster.Source.Size, newMaster.Source.HeadSHA256 = 2_400_000, "cc"
	reuploaded := baseRequest() // same bytes, new upload: new mtime and ETag
	reuploaded.Source.ModTime, reuploaded.Source.ETag = started.Add(time.Hour), "etag-2"
	sameSizeEdit := baseRequest()
	sameSizeEdit.Source.TailSHA256 = "dd"
	otherOut := baseRequest()
	otherOut.Out = "/o/o2"
	otherProfile := baseRequest()
	otherProfile.ProfileName, otherProfile.ProfileHash = "hevc", "sha256:fedcba9876543210"
	moved := baseRequest()
	moved.Source.Location = "s3://mezz/clip.mkv"

	for _, tc := range []struct {
		name   string
		prior  *Prior
		req    Identity
		force  bool
		want   Action
		reason []string // substrings of the reason
	}{
		{"first run", nil, same, false, Start, nil},
		{"first run forced", nil, same, true, Start, nil},
		{"same request in flight", prior(Running, &same), same, false, Join, []string{"joining", "2026-12-01 10:04"}},
		{"same request in flight forced", prior(Running, &same), same, true, Join, []string{"joining"}},
		{"same request completed", prior(Completed, &same), same, false, Answer, []string{"already encoded 2026-12-01 10:04", "--force"}},
		{"same request completed, re-uploaded identical", prior(Completed, &same), reuploaded, false, Answer, nil},
		{"same request completed forced", prior(Completed, &same), same, true, Restart, []string{"--force"}},
		{"same request failed", prior(Failed, &same), same, false, Restart, []string{"failed: encoding again"}},
		{"same request canceled", prior(Canceled, &same), same, false, Restart, []string{"canceled"}},
		{"same request terminated", prior(Terminated, &same), same, false, Restart, []string{"terminated"}},
		{"same request timed out", prior(TimedOut, &same), same, false, Restart, []string{"timed out"}},
		{"new master after completed", prior(Completed, &same), newMaster, false, Restart,
			[]string{"since the encode of 2026-12-01 10:04: source changed (size 1.2 MB → 2.4 MB): encoding again"}},
		{"same-size edit after completed", prior(Completed, &same), sameSizeEdit, false, Restart, []string{"same size 1.2 MB, other content"}},
		{"new output after completed", prior(Completed, &same), otherOut, false, Restart, []string{"output /o/o1 → /o/o2"}},
		{"new profile after completed", prior(Completed, &same), otherProfile, false, Restart, []string{"profile changed (default 0123456789ab → hevc fedcba987654)"}},
		{"moved source, same bytes", prior(Completed, &same), moved, false, Restart, []string{"source /m/clip.mkv → s3://mezz/clip.mkv"}},
		{"new master after failed", prior(Failed, &same), newMaster, false, Restart, []string{"source changed"}},
		{"new master after terminated", prior(Terminated, &same), newMaster, false, Restart, []string{"source changed"}},
		{"unrecorded completed run", prior(Completed, nil), same, false, Restart, []string{"recorded no request"}},
		{"new master in flight", prior(Running, &same), newMaster, false, Refuse,
			[]string{"still running", "from /m/clip.mkv (1.2 MB) with profile default 0123456789ab to /o/o1", "started 2026-12-01 10:04", "--force"}},
		{"new output in flight", prior(Running, &same), otherOut, false, Refuse, []string{"output /o/o1 → /o/o2"}},
		{"unrecorded run in flight", prior(Running, nil), same, false, Refuse, []string{"did not record"}},
		{"new master in flight forced", prior(Running, &same), newMaster, true, Replace, []string{"cancelling it (--force)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Decide(tc.prior, tc.req, tc.force)
			if d.Action != tc.want {
				t.Fatalf("action %v, want %v (reason %q)", d.Action, tc.want, d.Reason)
			}
			for _, s := range tc.reason {
				if !strings.Contains(d.Reason, s) {
					t.Errorf("reason %q lacks %q", d.Reason, s)
				}
			}
			if tc.want != Start && (d.Reason == "" || strings.Contains(d.Reason, "\n")) {
				t.Errorf("reason %q: want one line", d.Reason)
			}
		})
	}
}

func TestDifferences(t *testing.T) {
	a := baseRequest()
	if d := a.Differences(a); len(d) != 0 {
		t.Fatalf("same request differs: %q", d)
	}
	b := baseRequest()
	b.Out, b.ProfileHash, b.Source.Size = "/o/x", "sha256:1", 5
	if d := a.Differences(b); len(d) != 3 {
		t.Fatalf("want 3 differences, got %q", d)
	}
}

func TestRefusalWrapsErrInFlight(t *testing.T) {
	running := baseRequest()
	d := Decide(&Prior{Status: Running, Request: &running}, Identity{TitleID: "clip", Out: "/x"}, false)
	if d.Action != Refuse || !strings.HasPrefix(d.Reason, ErrInFlight.Error()) {
		t.Fatalf("got %v %q", d.Action, d.Reason)
	}
	if !errors.Is(d.Err(), ErrInFlight) {
		t.Fatalf("Err() %v does not wrap ErrInFlight", d.Err())
	}
}

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 999: "999 B", 1000: "1.0 kB", 1_234_567: "1.2 MB", 2_400_000_000: "2.4 GB"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func FuzzDecide(f *testing.F) {
	f.Add("clip", int64(10), "aa", "h1", "/o", "running", false)
	f.Add("clip", int64(0), "", "", "", "completed", true)
	f.Fuzz(func(t *testing.T, title string, size int64, head, hash, out, status string, force bool) {
		prev := baseRequest()
		req := Identity{TitleID: title, Source: Source{Size: size, HeadSHA256: head}, ProfileHash: hash, Out: out}
		d := Decide(&Prior{Status: Status(status), Request: &prev}, req, force)
		sameReq := len(prev.Differences(req)) == 0
		switch {
		case d.Action == Answer && (!sameReq || force || Status(status) != Completed):
			t.Fatalf("answered a request that is not the same completed one: %+v", d)
		case d.Action == Join && (!sameReq || Status(status) != Running):
			t.Fatalf("joined a run that is not the same request in flight: %+v", d)
		case (d.Action == Refuse || d.Action == Replace) && (sameReq || Status(status) != Running):
			t.Fatalf("refused or replaced without a different request in flight: %+v", d)
		}
	})
}
