package qcrun

import (
	"encoding/json"
	"fmt"

	"github.com/reel-video/reel/vision"
)

// Resolve returns the QC settings a profile's qc section (overrides of
// the checks' defaults, any subset) comes to: every key of vision.Config
// with its value, so that the profile a request carries, and its hash,
// say what the checks will use even if a later reel changes a default.
func Resolve(overrides map[string]any) (map[string]any, error) {
	cfg, err := Config(overrides)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: qc settings: %w", vision.ErrConfig, err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%w: qc settings: %w", vision.ErrConfig, err)
	}
	return m, nil
}
