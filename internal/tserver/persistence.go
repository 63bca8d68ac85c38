package tserver

import (
	"context"
	stdsql "database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"go.temporal.io/server/common/config"
	tlog "go.temporal.io/server/common/log"
	pgplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/tools/common/schema"
	sqltool "go.temporal.io/server/tools/sql"
	"google.golang.org/protobuf/types/known/durationpb"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", for reel's own checks
)

const (
	// DefaultPostgresDatabase is the database used when a postgres:// URL
	// names none.
	DefaultPostgresDatabase = "temporal"
	// VisibilitySuffix is appended to the main database's name to name the
	// PostgreSQL visibility database ("temporal" → "temporal_visibility").
	VisibilitySuffix = "_visibility"

	// Temporal's schema directories inside go.temporal.io/server/schema.
	pgMainSchema       = "postgresql/v12/temporal"
	pgVisibilitySchema = "postgresql/v12/visibility"

	// pgDefaultShards is the number of history shards of a PostgreSQL store
	// (fixed at its first start).
	pgDefaultShards = 4
)

// store is where the server persists: its SQL configurations (main and
// visibility) and how to describe it without secrets.
type store struct {
	kind       string // "sqlite" or "postgres"
	main       *config.SQL
	visibility *config.SQL // == main for SQLite
	shards     int32
	desc       string // for messages: the SQLite path or the redacted URL
	password   string // scrubbed from errors
}

// openStore returns the store for cfg: SQLite in stateDir when cfg.DB is
// empty, PostgreSQL for a postgres:// URL.
func openStore(stateDir string, cfg Config) (*store, error) {
	if cfg.DB == "" {
		sqlCfg := sqliteConfig(filepath.Join(stateDir, dbFileName))
		return &store{kind: "sqlite", main: sqlCfg, visibility: sqlCfg, shards: 1, desc: sqlCfg.DatabaseName}, nil
	}
	main, desc, err := parsePostgresURL(cfg.DB)
	if err != nil {
		return nil, err
	}
	vis := *main
	vis.DatabaseName = main.DatabaseName + VisibilitySuffix
	vis.ConnectAttributes = cloneMap(main.ConnectAttributes)
	shards := int32(cfg.HistoryShards)
	if shards == 0 {
		shards = pgDefaultShards
	}
	return &store{kind: "postgres", main: main, visibility: &vis, shards: shards, desc: desc, password: main.Password}, nil
}

// RedactURL returns a database URL with its password replaced by "xxxxx",
// for messages; a URL that does not parse is replaced entirely.
func RedactURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable URL, not shown)"
	}
	return u.Redacted()
}

// parsePostgresURL turns postgres://user:password@host:port/dbname?attrs
// into the server's SQL configuration (plugin postgres12_pgx); query
// parameters (sslmode, …) become connection attributes. Errors never
// contain the password.
func parsePostgresURL(dsn string) (*config.SQL, string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, "", fmt.Errorf("database URL (not shown, it may hold a password): %v", err)
	}
	desc := u.Redacted()
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return nil, "", fmt.Errorf("database URL %s: scheme %q not supported; use postgres://user:password@host:port/dbname", desc, u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, "", fmt.Errorf("database URL %s: no host", desc)
	}
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	if u.User == nil || u.User.Username() == "" {
		return nil, "", fmt.Errorf("database URL %s: no user (postgres://user:password@host:port/dbname)", desc)
	}
	pw, _ := u.User.Password()
	db := strings.TrimPrefix(u.Path, "/")
	if db == "" {
		db = DefaultPostgresDatabase
	}
	if strings.ContainsAny(db, "/\"'; ") {
		return nil, "", fmt.Errorf("database URL %s: database name %q: only letters, digits, '_' and '-' are allowed", desc, db)
	}
	attrs := map[string]string{}
	for k, vs := range u.Query() {
		if len(vs) != 1 {
			return nil, "", fmt.Errorf("database URL %s: parameter %q given %d times", desc, k, len(vs))
		}
		attrs[k] = vs[0]
	}
	return &config.SQL{
		PluginName:        pgplugin.PluginNamePGX,
		DatabaseName:      db,
		ConnectAddr:       net.JoinHostPort(u.Hostname(), port),
		ConnectProtocol:   "tcp",
		User:              u.User.Username(),
		Password:          pw,
		ConnectAttributes: attrs,
		MaxConns:          20,
		MaxIdleConns:      20,
	}, desc, nil
}

func cloneMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// scrub returns err with any occurrence of the store's password replaced;
// errors.Is/As still see the original.
func (st *store) scrub(err error) error {
	if err == nil || st.password == "" || !strings.Contains(err.Error(), st.password) {
		return err
	}
	return &scrubbedError{msg: strings.ReplaceAll(err.Error(), st.password, "xxxxx"), err: err}
}

type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// prepare makes the store ready for the server: for SQLite the schema on
// first start (ensureSchema); for PostgreSQL the main and visibility
// databases (created if missing) and their schemas, set up on first start
// and upgraded to this server's version on later ones with Temporal's own
// schema tool. Then it registers the namespaces.
func (st *store) prepare(stateDir string, namespaces []string, retention time.Duration, logger tlog.Logger) error {
	switch st.kind {
	case "sqlite":
		if err := ensureSchema(stateDir, st.main); err != nil {
			return err
		}
	case "postgres":
		for _, db := range []struct {
			cfg    *config.SQL
			schema string
		}{{st.main, pgMainSchema}, {st.visibility, pgVisibilitySchema}} {
			if err := st.scrub(ensurePostgresDatabase(db.cfg, logger)); err != nil {
				return fmt.Errorf("postgres %s: database %q: %w", st.desc, db.cfg.DatabaseName, err)
			}
			if err := st.scrub(ensurePostgresSchema(db.cfg, db.schema, logger)); err != nil {
				return fmt.Errorf("postgres %s: schema of database %q: %w", st.desc, db.cfg.DatabaseName, err)
			}
		}
	}
	for _, name := range namespaces {
		ns, err := sqliteschema.NewNamespaceConfig(clusterName, name, false, nil)
		if err != nil {
			return fmt.Errorf("register namespace %q: %w", name, err)
		}
		ns.Detail.Config.Retention = durationpb.New(retention)
		// CreateNamespaces works on any SQL store, not only SQLite: it
		// goes through the generic SQL persistence layer.
		if err := st.scrub(sqliteschema.CreateNamespaces(st.main, ns)); err != nil {
			return fmt.Errorf("register namespace %q: %w", name, err)
		}
	}
	return nil
}

// sqlState is implemented by PostgreSQL errors (pgconn.PgError).
type sqlState interface{ SQLState() string }

func pgCode(err error) string {
	var s sqlState
	if errors.As(err, &s) {
		return s.SQLState()
	}
	return ""
}

// ensurePostgresDatabase creates cfg's database if it does not exist,
// connecting to the "postgres" maintenance database to do so. It connects
// with pgx itself first: Temporal's SQL layer reports any failure to
// connect as "no usable database connection found", which would hide a
// wrong password or host.
func ensurePostgresDatabase(cfg *config.SQL, logger tlog.Logger) error {
	ctx, cancel := context.WithTimeout(context.Background(), pgConnectTimeout)
	defer cancel()
	err := pingPostgres(ctx, cfg, cfg.DatabaseName)
	if err == nil {
		return nil
	}
	// 3D000 invalid_catalog_name: the database does not exist.
	if pgCode(err) != "3D000" {
		return err
	}
	if err := sqltool.DoCreateDatabase(&config.SQL{
		PluginName:        cfg.PluginName,
		DatabaseName:      cfg.DatabaseName, // DoCreateDatabase creates this one…
		ConnectAddr:       cfg.ConnectAddr,
		ConnectProtocol:   cfg.ConnectProtocol,
		User:              cfg.User,
		Password:          cfg.Password,
		ConnectAttributes: cloneMap(cfg.ConnectAttributes),
		TLS:               cfg.TLS,
	}, "postgres", logger); err != nil { // …connected to this one
		// Temporal's error says little; ask the server why.
		if perr := pingPostgres(ctx, cfg, "postgres"); perr != nil {
			return fmt.Errorf("create: connect to database \"postgres\": %w", perr)
		}
		if pingPostgres(ctx, cfg, cfg.DatabaseName) == nil {
			return nil // created meanwhile by someone else
		}
		return fmt.Errorf("create (does the user have CREATEDB? else create it beforehand): %w", err)
	}
	return nil
}

// pgConnectTimeout bounds each of reel's own PostgreSQL checks.
const pgConnectTimeout = 30 * time.Second

// pingPostgres connects to database db of cfg's server with pgx.
func pingPostgres(ctx context.Context, cfg *config.SQL, db string) error {
	q := url.Values{}
	for k, v := range cfg.ConnectAttributes {
		q.Set(k, v)
	}
	if q.Get("sslmode") == "" && cfg.TLS == nil {
		q.Set("sslmode", "disable") // as Temporal's plugin does
	}
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(cfg.User, cfg.Password),
		Host:     cfg.ConnectAddr,
		Path:     "/" + db,
		RawQuery: q.Encode(),
	}
	conn, err := stdsql.Open("pgx", u.String())
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.PingContext(ctx)
}

// ensurePostgresSchema sets up the schema-version tables (a no-op when they
// exist) and applies every versioned schema change newer than the
// database's version, as `temporal-sql-tool setup-schema -v 0.0` followed
// by `update-schema` would.
func ensurePostgresSchema(cfg *config.SQL, schemaName string, logger tlog.Logger) error {
	conn, err := sqltool.NewConnection(cfg, logger)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := schema.NewSetupSchemaTask(conn, &schema.SetupConfig{InitialVersion: "0.0"}, logger).Run(); err != nil {
		return fmt.Errorf("set up: %w", err)
	}
	if err := schema.NewUpdateSchemaTask(conn, &schema.UpdateConfig{DBName: cfg.DatabaseName, SchemaName: schemaName}, logger).Run(); err != nil {
		return fmt.Errorf("update: %w", err)
	}
	return nil
}

// SchemaVersion returns the schema versions (main, visibility) recorded in
// a PostgreSQL store, for operators and tests.
func SchemaVersion(dsn string) (main, visibility string, err error) {
	st, err := openStore("", Config{DB: dsn})
	if err != nil {
		return "", "", err
	}
	for _, c := range []struct {
		cfg *config.SQL
		out *string
	}{{st.main, &main}, {st.visibility, &visibility}} {
		conn, err := sqltool.NewConnection(c.cfg, tlog.NewNoopLogger())
		if err != nil {
			return "", "", st.scrub(err)
		}
		v, err := conn.ReadSchemaVersion()
		conn.Close()
		if err != nil {
			return "", "", st.scrub(err)
		}
		*c.out = v
	}
	return main, visibility, nil
}
