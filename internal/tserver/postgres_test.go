package tserver

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/config"
	tlog "go.temporal.io/server/common/log"
	pgv12 "go.temporal.io/server/schema/postgresql/v12"
	"go.temporal.io/server/tools/common/schema"
	sqltool "go.temporal.io/server/tools/sql"

	"github.com/reel-video/reel/internal/pgtest"
)

// TestPostgresUpgradeAndServe sets up a PostgreSQL store at old schema
// versions (as an older Temporal would have left it), then starts the
// server on it, on 0.0.0.0 with a second namespace and a retention, and
// checks that Start upgraded both schemas to this server's versions, that
// the namespaces exist with that retention and that a workflow runs.
func TestPostgresUpgradeAndServe(t *testing.T) {
	pg := pgtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dsn := pg.DSN("upgrade")

	st, err := openStore("", Config{DB: dsn})
	if err != nil {
		t.Fatal(err)
	}
	logger := tlog.NewNoopLogger()
	for _, db := range []struct {
		cfg      *config.SQL
		name, to string
	}{{st.main, pgMainSchema, "1.10"}, {st.visibility, pgVisibilitySchema, "1.5"}} {
		if err := ensurePostgresDatabase(db.cfg, logger); err != nil {
			t.Fatalf("create %s: %v", db.cfg.DatabaseName, err)
		}
		conn, err := sqltool.NewConnection(db.cfg, logger)
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.NewSetupSchemaTask(conn, &schema.SetupConfig{InitialVersion: "0.0"}, logger).Run(); err != nil {
			t.Fatal(err)
		}
		if err := schema.NewUpdateSchemaTask(conn, &schema.UpdateConfig{DBName: db.cfg.DatabaseName, SchemaName: db.name, TargetVersion: db.to}, logger).Run(); err != nil {
			t.Fatal(err)
		}
		conn.Close()
	}
	if m, v, err := SchemaVersion(dsn); err != nil || m != "1.10" || v != "1.5" {
		t.Fatalf("old schema versions = %q, %q, %v", m, v, err)
	}

	s := mustStart(ctx, t, Config{
		StateDir:    filepath.Join(t.TempDir(), "state"),
		Logger:      testLogger(),
		Host:        "0.0.0.0",
		AllowRemote: true,
		Namespaces:  []string{"extra"},
		Retention:   48 * time.Hour,
		DB:          dsn,
	})
	defer s.Stop()
	if !strings.HasPrefix(s.ListenAddr(), "0.0.0.0:") || !strings.HasPrefix(s.HostPort(), "127.0.0.1:") {
		t.Errorf("ListenAddr %s, HostPort %s", s.ListenAddr(), s.HostPort())
	}
	if m, v, err := SchemaVersion(dsn); err != nil || m != pgv12.Version || v != pgv12.VisibilityVersion {
		t.Errorf("schema versions after Start = %q, %q, %v; want %s, %s", m, v, err, pgv12.Version, pgv12.VisibilityVersion)
	}

	c := dial(t, s, "extra")
	defer c.Close()
	for _, ns := range []string{DefaultNamespace, "extra"} {
		d, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: ns})
		if err != nil {
			t.Fatalf("namespace %s: %v", ns, err)
		}
		if got := d.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); got != 48*time.Hour {
			t.Errorf("namespace %s retention %s, want 48h", ns, got)
		}
	}
	w := startWorker(t, c)
	defer w.Stop()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "pg-upper", TaskQueue: testTaskQueue}, upperWorkflow, "postgres")
	if err != nil {
		t.Fatal(err)
	}
	var out string
	if err := run.Get(ctx, &out); err != nil || out != "POSTGRES" {
		t.Fatalf("workflow on PostgreSQL = %q, %v", out, err)
	}
}

func TestParsePostgresURL(t *testing.T) {
	cfg, desc, err := parsePostgresURL("postgres://u%40x:p%2Fw@db.example:6543/tdb?sslmode=verify-full&connect_timeout=5")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.User != "u@x" || cfg.Password != "p/w" || cfg.ConnectAddr != "db.example:6543" || cfg.DatabaseName != "tdb" ||
		cfg.ConnectAttributes["sslmode"] != "verify-full" || cfg.ConnectAttributes["connect_timeout"] != "5" {
		t.Errorf("parsed %+v", cfg)
	}
	if strings.Contains(desc, "p%2Fw") || strings.Contains(desc, "p/w") {
		t.Errorf("description %q shows the password", desc)
	}
	cfg, _, err = parsePostgresURL("postgresql://u@db")
	if err != nil || cfg.ConnectAddr != "db:5432" || cfg.DatabaseName != DefaultPostgresDatabase {
		t.Errorf("defaults: %+v, %v", cfg, err)
	}
	for dsn, want := range map[string]string{
		"mysql://u:secretpw@db/x":            "scheme",
		"postgres://:secretpw@db/x":          "no user",
		"postgres://u:secretpw@/x":           "no host",
		"postgres://u:secretpw@db/a;b":       "database name",
		"postgres://u:secretpw@db:x/y":       "not shown",
		"postgres://u:secretpw@db/x?a=1&a=2": "given 2 times",
	} {
		_, _, err := parsePostgresURL(dsn)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error with %q", dsn, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "secretpw") {
			t.Errorf("%s: error shows the password: %v", dsn, err)
		}
	}
}
