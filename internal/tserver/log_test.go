package tserver

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"

	"go.temporal.io/server/common/log/tag"
)

// TestServerLoggerScrubsSecret: the database password never reaches the
// log, whether in a message, a tag or a logger's With tags.
func TestServerLoggerScrubsSecret(t *testing.T) {
	var buf bytes.Buffer
	l := newServerLogger(slog.New(slog.NewTextHandler(&buf, nil)), new(atomic.Bool))
	l.secret = "pw-123"
	l.Warn("connect with pw-123 failed", tag.Error(errors.New("dsn postgres://u:pw-123@h/db")))
	l.With(tag.NewStringTag("dsn", "postgres://u:pw-123@h/db")).Error("again", tag.NewInt("n", 2))
	out := buf.String()
	if strings.Contains(out, "pw-123") {
		t.Errorf("log shows the secret:\n%s", out)
	}
	if strings.Count(out, "xxxxx") != 3 || !strings.Contains(out, "n=2") {
		t.Errorf("log lost content:\n%s", out)
	}
}
