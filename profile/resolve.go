package profile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// Resolve applies every default of the profile in place: ladder defaults
// over built-in values, rung settings over ladder defaults, the chunking,
// encode, per-title and audio settings' defaults (an absent audio list is
// not touched: nil means none here, as in workflow histories). Parse
// resolves what it reads; Resolve is idempotent. The QC section's defaults
// belong to the QC checks and are resolved by their caller.
func (p *Profile) Resolve() { p.fill() }

// ResolveStages fills the defaults of the sections the workflow reads as
// it plans a title (chunking, encode, per-title). A profile from Parse
// already has them; a workflow history recorded before requests carried a
// resolved profile gets them once, here, at the start of the workflow.
func (p *Profile) ResolveStages() {
	p.Chunking = p.Chunking.WithDefaults(p.SegmentSeconds)
	p.Encode = p.Encode.WithDefaults()
	p.fillGatePackage()
	if p.Ladder.Mode == LadderPerTitle {
		pt := p.Ladder.PerTitle.WithDefaults(p.Ladder.Defaults.Codec)
		p.Ladder.PerTitle = &pt
	}
}

// Canonical is the profile serialised in a fixed order (struct fields in
// declaration order, map keys sorted): two profiles that encode the same
// way after defaults have the same canonical form. Resolve the profile
// (and its QC section) first.
func (p Profile) Canonical() ([]byte, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("profile: canonical form: %w", err)
	}
	return b, nil
}

// Hash is "sha256:" and the hex SHA-256 of the canonical form: what a
// title's request identity compares.
func (p Profile) Hash() (string, error) {
	b, err := p.Canonical()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}
