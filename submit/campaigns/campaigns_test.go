package campaigns

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/reel-video/reel/campaign"
	"github.com/reel-video/reel/mezzfs"
	"github.com/reel-video/reel/store"
	"github.com/reel-video/reel/workflows"
)

func TestLoadCatalog(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a.mp4", "b.mov", "notes.json", "sub/c.mkv"} {
		p := filepath.Join(dir, "media", f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	csvPath := filepath.Join(dir, "cat.csv")
	if err := os.WriteFile(csvPath, []byte("title_id,source,old_out\nt1,"+dir+"/media/a.mp4,file://"+dir+"/old/t1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	st := store.New(mezzfs.Options{})
	ctx := context.Background()

	got, err := LoadCatalog(ctx, st, filepath.Join(dir, "media")+"/")
	if err != nil {
		t.Fatal(err)
	}
	want := []campaign.Entry{
		{TitleID: "a", Source: filepath.Join(dir, "media", "a.mp4")},
		{TitleID: "b", Source: filepath.Join(dir, "media", "b.mov")},
		{TitleID: "c", Source: filepath.Join(dir, "media", "sub", "c.mkv")},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("listing: got %+v, want %+v", got, want)
	}

	got, err = LoadCatalog(ctx, st, csvPath)
	if err != nil {
		t.Fatal(err)
	}
	want = []campaign.Entry{{TitleID: "t1", Source: filepath.Join(dir, "media", "a.mp4"), OldOut: filepath.Join(dir, "old", "t1")}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("csv: got %+v, want %+v", got, want)
	}

	if _, err := LoadCatalog(ctx, st, filepath.Join(dir, "missing.txt")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing catalog: err = %v, want store.ErrNotFound", err)
	}
	if _, err := LoadCatalog(ctx, st, filepath.Join(dir, "empty")+"/"); !errors.Is(err, campaign.ErrEmptyCatalog) {
		t.Errorf("empty listing: err = %v, want campaign.ErrEmptyCatalog", err)
	}
}

func TestInput(t *testing.T) {
	cat := []campaign.Entry{
		{TitleID: "a", Source: "s3://src/a.mp4"},
		{TitleID: "../../etc", Source: "s3://src/x.mp4"},
		{TitleID: "c", Source: "s3://src/c.mp4", OldOut: "s3://legacy/c"},
	}
	in, err := Input(StartOptions{Name: "av1 2027", Catalog: cat, OutTemplate: "s3://out/{title}/v2/", CompareWith: "s3://out/{title}/v1", MaxInFlight: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := []workflows.CampaignEntry{
		{TitleID: "a", Source: "s3://src/a.mp4", Out: "s3://out/a/v2", OldOut: "s3://out/a/v1"},
		{TitleID: "../../etc", Source: "s3://src/x.mp4", Out: "s3://out/..%2F..%2Fetc/v2", OldOut: "s3://out/..%2F..%2Fetc/v1"},
		{TitleID: "c", Source: "s3://src/c.mp4", Out: "s3://out/c/v2", OldOut: "s3://legacy/c"},
	}
	if !reflect.DeepEqual(in.Catalog, want) {
		t.Errorf("catalog:\n got %+v\nwant %+v", in.Catalog, want)
	}
	if in.Report != "s3://out/campaign-av1%202027" || in.Total != 3 || in.MaxInFlight != 3 || in.Name != "av1 2027" {
		t.Errorf("input: report %q total %d max %d name %q", in.Report, in.Total, in.MaxInFlight, in.Name)
	}
	// Whatever the workflow does with an entry, the output is the one
	// resolved here.
	if got := in.Catalog[1].Resolve(in).Out; got != want[1].Out {
		t.Errorf("Resolve changed the out to %q", got)
	}

	local, err := Input(StartOptions{Name: "n", Catalog: cat[:1], OutTemplate: "out/{title}"})
	if err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if local.Catalog[0].Out != filepath.Join(wd, "out", "a") || local.Report != filepath.Join(wd, "out", "campaign-n") || local.Catalog[0].OldOut != "" {
		t.Errorf("local: out %q report %q old %q", local.Catalog[0].Out, local.Report, local.Catalog[0].OldOut)
	}

	for _, tc := range []struct {
		o    StartOptions
		want error
	}{
		{StartOptions{Name: "", Catalog: cat, OutTemplate: "/o/{title}"}, ErrBadName},
		{StartOptions{Name: "x\n", Catalog: cat, OutTemplate: "/o/{title}"}, ErrBadName},
		{StartOptions{Name: "x", OutTemplate: "/o/{title}"}, campaign.ErrEmptyCatalog},
		{StartOptions{Name: "x", Catalog: cat, OutTemplate: "/o/v2"}, campaign.ErrBadTemplate},
		{StartOptions{Name: "x", Catalog: cat, OutTemplate: "/o/{title}", CompareWith: "/old"}, campaign.ErrBadTemplate},
	} {
		if _, err := Input(tc.o); !errors.Is(err, tc.want) {
			t.Errorf("Input(%+v): err = %v, want %v", tc.o, err, tc.want)
		}
	}
}

// memWriter records what spill writes.
type memWriter map[string][]byte

func (m memWriter) WriteFile(_ context.Context, l store.Location, data []byte) error {
	m[l.String()] = data
	return nil
}

func TestSpillLargeCatalog(t *testing.T) {
	var cat []campaign.Entry
	for i := range 3000 {
		id := strings.Repeat("t", 10) + string(rune('a'+i%26)) + time.Duration(i).String()
		cat = append(cat, campaign.Entry{TitleID: id, Source: "s3://src/" + id + ".mp4"})
	}
	in, err := Input(StartOptions{Name: "big", Catalog: cat, OutTemplate: "s3://out/{title}/"})
	if err != nil {
		t.Fatal(err)
	}
	w := memWriter{}
	out, err := spill(context.Background(), w, in)
	if err != nil {
		t.Fatal(err)
	}
	if out.Catalog != nil || out.CatalogLocation != "s3://out/campaign-big/catalog.jsonl" || out.Total != 3000 {
		t.Fatalf("spilled input: location %q, %d entries, total %d", out.CatalogLocation, len(out.Catalog), out.Total)
	}
	lines := strings.Split(strings.TrimSpace(string(w[out.CatalogLocation])), "\n")
	if len(lines) != 3000 {
		t.Fatalf("%d lines", len(lines))
	}
	var e workflows.CampaignEntry
	if err := json.Unmarshal([]byte(lines[2999]), &e); err != nil || e != in.Catalog[2999] {
		t.Errorf("last line %q: %+v, %v", lines[2999], e, err)
	}
	if _, err := spill(context.Background(), nil, in); err == nil {
		t.Error("spill without a writer: no error")
	}
}

func TestETAAndOutcome(t *testing.T) {
	for _, tc := range []struct {
		p    workflows.CampaignProgress
		eta  time.Duration
		ok   bool
		want Outcome
	}{
		{workflows.CampaignProgress{Remaining: 8, InFlight: 2, TitlesPerHour: 20}, 30 * time.Minute, true, AllDone},
		{workflows.CampaignProgress{Remaining: 8, TitlesPerHour: 0}, 0, false, AllDone},
		{workflows.CampaignProgress{Done: 5, TitlesPerHour: 3}, 0, false, AllDone},
		{workflows.CampaignProgress{Held: 1, Remaining: 1, TitlesPerHour: 1}, time.Hour, true, SomeHeld},
		{workflows.CampaignProgress{Held: 1, Failed: 1}, 0, false, SomeFailed},
	} {
		eta, ok := ETA(tc.p)
		if eta != tc.eta || ok != tc.ok {
			t.Errorf("ETA(%+v) = %v, %v; want %v, %v", tc.p, eta, ok, tc.eta, tc.ok)
		}
		if got := OutcomeOf(tc.p); got != tc.want {
			t.Errorf("OutcomeOf(%+v) = %v, want %v", tc.p, got, tc.want)
		}
	}
}
