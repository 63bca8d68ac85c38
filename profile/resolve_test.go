package profile

import (
	"strings"
	"testing"
)

func mustParse(t *testing.T, y string) Profile {
	t.Helper()
	p, err := Parse(strings.NewReader(y))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustHash(t *testing.T, p Profile) string {
	t.Helper()
	h, err := p.Hash()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// A profile that spells out its defaults is the same request as one that
// leaves them out; any setting that changes the encode changes the hash.
func TestHashAfterDefaults(t *testing.T) {
	terse := mustParse(t, "ladder:\n  rungs:\n    - {height: 720, crf: 23}\n")
	explicit := mustParse(t, `
name: default
segment_seconds: 2
chunking: {mode: shots, min_seconds: 2, max_seconds: 10}
encode: {max_parallel: 4}
on_corrupt: fail
ladder:
  mode: fixed
  defaults: {codec: h264, preset: medium, gop_seconds: 2, bit_depth: 8, profile: high}
  rungs:
    - {id: 720p, height: 720, crf: 23}
audio:
  - {id: aac-128k, codec: aac, bitrate_kbps: 128, channels: 2, sample_rate: 48000}
`)
	if a, b := mustHash(t, terse), mustHash(t, explicit); a != b {
		t.Fatalf("defaults spelled out change the hash: %s vs %s", a, b)
	}
	if !strings.HasPrefix(mustHash(t, terse), "sha256:") || len(mustHash(t, terse)) != len("sha256:")+64 {
		t.Fatalf("hash %q: want sha256:<64 hex>", mustHash(t, terse))
	}
	for _, change := range []string{
		"ladder:\n  rungs:\n    - {height: 720, crf: 24}\n",
		"ladder:\n  rungs:\n    - {height: 720, crf: 23, preset: fast}\n",
		"ladder:\n  rungs:\n    - {height: 720, crf: 23}\nencode: {max_parallel: 2}\n",
		"ladder:\n  rungs:\n    - {height: 720, crf: 23}\naudio: []\n",
		"ladder:\n  rungs:\n    - {height: 720, crf: 23}\nqc: {black: {min_duration: 1}}\n",
	} {
		if mustHash(t, mustParse(t, change)) == mustHash(t, terse) {
			t.Errorf("profile %q hashes like the original", change)
		}
	}
}

// The QC map's keys are serialised sorted, so its order in the file does
// not matter.
func TestHashQCKeyOrder(t *testing.T) {
	a := mustParse(t, "qc: {black: {min_duration: 1}, freeze: {min_duration: 3}}\n")
	b := mustParse(t, "qc: {freeze: {min_duration: 3}, black: {min_duration: 1}}\n")
	if mustHash(t, a) != mustHash(t, b) {
		t.Fatal("QC key order changes the hash")
	}
}

// ResolveStages gives a profile recorded without the stage defaults what
// Parse gives, and leaves a resolved profile as it is.
func TestResolveStages(t *testing.T) {
	want := Default()
	bare := want
	bare.Chunking, bare.Encode, bare.Ladder.PerTitle = Chunking{}, Encode{}, nil
	bare.ResolveStages()
	if mustHash(t, bare) != mustHash(t, want) {
		t.Fatalf("ResolveStages of a bare profile: %+v, want %+v", bare, want)
	}
	again := want
	again.ResolveStages()
	if mustHash(t, again) != mustHash(t, want) {
		t.Fatal("ResolveStages changed a resolved profile")
	}
}
