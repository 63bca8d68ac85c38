package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// TestStartQueryStop starts a cluster, runs a query through the DSN (so the
// password authentication works), refuses a wrong password, and checks that
// Stop removes the directory.
func TestStartQueryStop(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := Start(ctx)
	if errors.Is(err, ErrUnavailable) {
		t.Skip("pgtest: " + err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	dir := s.dir
	defer func() {
		if _, err := os.Stat(dir); err == nil {
			_ = s.Stop()
		}
	}()

	db, err := sql.Open("pgx", s.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	var got int
	if err := db.QueryRowContext(ctx, "SELECT 40 + 2").Scan(&got); err != nil || got != 42 {
		t.Fatalf("query over %s: %d, %v", s.DSN("postgres"), got, err)
	}
	_ = db.Close()

	u, _ := url.Parse(s.DSN("postgres"))
	u.User = url.UserPassword(User, "wrong")
	bad, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	if err := bad.PingContext(ctx); err == nil {
		t.Error("wrong password accepted")
	}
	_ = bad.Close()

	if err := s.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("Stop left %s behind (%v)", dir, err)
	}
}
