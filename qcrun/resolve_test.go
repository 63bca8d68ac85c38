package qcrun

import (
	"reflect"
	"testing"
)

// Resolve spells out every setting, keeps the overrides, and gives the
// checks exactly the configuration the overrides alone give.
func TestResolve(t *testing.T) {
	over := map[string]any{"black": map[string]any{"min_duration": 1.5}}
	full, err := Resolve(over)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"black", "freeze", "borders", "shots", "levels", "audio", "thumbnail_width"} {
		if _, ok := full[k]; !ok {
			t.Errorf("resolved qc lacks %q", k)
		}
	}
	if got := full["black"].(map[string]any)["min_duration"]; got != 1.5 {
		t.Errorf("black.min_duration %v, want the override 1.5", got)
	}
	a, err := Config(over)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Config(full)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("resolved settings configure the checks differently:\n%+v\n%+v", a, b)
	}
	if _, err := Resolve(map[string]any{"no_such_check": 1}); err == nil {
		t.Fatal("an unknown key resolved")
	}
}
