package tserver

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"

	tlog "go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// discardLogger returns a slog.Logger that drops everything.
func discardLogger() *slog.Logger {
	return slog.New(slog.DiscardHandler)
}

// serverLogger adapts a *slog.Logger to the Temporal server's log.Logger
// interface. Only records at warn level or above are forwarded; the server is
// very chatty at info level and reel wants a quiet terminal.
//
// Once the server is being stopped (muted set), everything but Fatal is
// dropped: shutdown makes the server's internal workers and clients report a
// burst of expected connection errors, and Stop's own result is what matters.
type serverLogger struct {
	l     *slog.Logger
	muted *atomic.Bool
	// secret (the database password), when set, is replaced by "xxxxx" in
	// every message and tag value.
	secret string
}

// expectedWarnings are server warnings that are normal for reel's embedded
// setup and would only confuse users.
var expectedWarnings = []string{
	// reel does not use Nexus, so the frontend HTTP port is left disabled.
	"HTTP API port has not been set",
	// With TLS, the frontend has a per-host certificate for reel's own
	// connections only (InternalServerName); every client under another
	// name gets the operator's certificate, which is the point.
	"cannot find a per-host provider for attempted incoming TLS connection",
}

var (
	_ tlog.Logger     = serverLogger{}
	_ tlog.WithLogger = serverLogger{}
)

func newServerLogger(l *slog.Logger, muted *atomic.Bool) serverLogger {
	return serverLogger{l: l.With("component", "temporal-server"), muted: muted}
}

func (s serverLogger) tagAttrs(tags []tag.Tag) []any {
	if len(tags) == 0 {
		return nil
	}
	out := make([]any, 0, len(tags))
	for _, t := range tags {
		if t == nil {
			continue
		}
		if s.secret != "" {
			if v := fmt.Sprint(t.Value()); strings.Contains(v, s.secret) {
				out = append(out, slog.String(t.Key(), s.scrub(v)))
				continue
			}
		}
		out = append(out, slog.Any(t.Key(), t.Value()))
	}
	return out
}

func (s serverLogger) scrub(text string) string {
	if s.secret == "" {
		return text
	}
	return strings.ReplaceAll(text, s.secret, "xxxxx")
}

func (s serverLogger) log(level slog.Level, msg string, tags []tag.Tag) {
	if s.muted.Load() || !s.l.Enabled(context.Background(), level) {
		return
	}
	for _, prefix := range expectedWarnings {
		if strings.HasPrefix(msg, prefix) {
			return
		}
	}
	s.l.Log(context.Background(), level, s.scrub(msg), s.tagAttrs(tags)...)
}

func (serverLogger) Debug(string, ...tag.Tag) {}
func (serverLogger) Info(string, ...tag.Tag)  {}

func (s serverLogger) Warn(msg string, tags ...tag.Tag)   { s.log(slog.LevelWarn, msg, tags) }
func (s serverLogger) Error(msg string, tags ...tag.Tag)  { s.log(slog.LevelError, msg, tags) }
func (s serverLogger) DPanic(msg string, tags ...tag.Tag) { s.log(slog.LevelError, msg, tags) }

func (s serverLogger) Panic(msg string, tags ...tag.Tag) {
	s.log(slog.LevelError, msg, tags)
	panic(msg)
}

// Fatal mirrors the server's default (zap) behaviour: the server relies on
// Fatal not returning (e.g. after a failed listen). Because the configured
// logger may discard everything, the message is also written to stderr so
// the process never dies silently.
func (s serverLogger) Fatal(msg string, tags ...tag.Tag) {
	s.log(slog.LevelError, msg, tags)
	fmt.Fprintf(os.Stderr, "embedded temporal server: fatal: %s", s.scrub(msg))
	for _, t := range tags {
		if t != nil {
			fmt.Fprintf(os.Stderr, " %s=%s", t.Key(), s.scrub(fmt.Sprint(t.Value())))
		}
	}
	fmt.Fprintln(os.Stderr)
	os.Exit(1)
}

func (s serverLogger) With(tags ...tag.Tag) tlog.Logger {
	if len(tags) == 0 {
		return s
	}
	return serverLogger{l: s.l.With(s.tagAttrs(tags)...), muted: s.muted, secret: s.secret}
}
