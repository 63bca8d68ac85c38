// Package tserver runs an embedded, single-node Temporal server backed by a
// SQLite file, so that `reel run` works without any external setup.
//
// The server listens on loopback only, on four ports (frontend, history,
// matching, worker). By default (Config.Port 0) they are free ports chosen at
// the first start and recorded in the state directory (ports.json), reused by
// later starts while they stay free, so servers on independent state
// directories run side by side and another process finds the running server
// with RecordedHostPort. An explicit Config.Port takes the block Port..Port+3.
// State lives in Config.StateDir and survives restarts, including a SIGKILL of
// the process: workflow histories are kept and running workflows resume.
//
// The same server also runs standing, for a fleet (reel server): the
// frontend on any address (Config.AllowRemote), more namespaces and their
// retention, PostgreSQL persistence whose schema Start sets up and upgrades
// with Temporal's own schema tool (Config.DB), TLS or mutual TLS on the
// frontend (Config.TLS) and the Temporal Web UI (Server.StartUI).
//
// This is the only package (besides end-to-end tests) that imports
// go.temporal.io/server.
package tserver

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/workflowservice/v1"
	sdkclient "go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
	"google.golang.org/protobuf/types/known/durationpb"
)

const (
	// DefaultHost is the loopback address the embedded server binds to.
	DefaultHost = "127.0.0.1"
	// DefaultNamespace is registered on first start.
	DefaultNamespace = "default"
	// DefaultRetention is the workflow retention of namespaces registered by
	// the embedded server.
	DefaultRetention = 7 * 24 * time.Hour

	// NumPorts is how many ports the embedded server occupies: one each for
	// the frontend, history, matching and worker services, in that order.
	NumPorts = 4

	// PortsFileName is the file in the state directory where Start records
	// the server's host and ports (JSON, see RecordedHostPort).
	PortsFileName = "ports.json"

	dbFileName     = "temporal.db"
	schemaDoneName = "temporal.db.schema-ok"
	lockFileName   = "reel.lock"
	clusterName    = "active"

	// readyTimeout bounds how long Start waits for the frontend to answer.
	readyTimeout = 60 * time.Second
)

var (
	// ErrStateDirLocked is returned (wrapped) by Start when another process
	// holds the state directory.
	ErrStateDirLocked = errors.New("state directory in use")
	// ErrPortInUse is returned (wrapped) by Start when one of the server's
	// ports is already taken.
	ErrPortInUse = errors.New("port in use")
)

// Config configures the embedded server. The zero value is usable.
type Config struct {
	StateDir  string       // directory for the SQLite file(s); created if missing. Default: DefaultStateDir()
	Host      string       // loopback IP to bind; default "127.0.0.1"
	Port      int          // frontend gRPC port, Port+1..Port+3 for the other services; 0 (default): the ports recorded in StateDir if free, else free ones (then recorded)
	Namespace string       // default "default"; registered on first start
	Logger    *slog.Logger // nil = discard; server logs go here at warn+ level only
	TLS       TLS          // zero (default): plain gRPC on the frontend; see TLS

	// Standing-server settings (reel server); their zero values keep the
	// embedded behaviour.

	// AllowRemote allows a Host that is not loopback, such as "0.0.0.0" or
	// a LAN address, for the frontend; the history, matching and worker
	// services then listen on 127.0.0.1. Default false: loopback only.
	AllowRemote bool
	// Namespaces are registered besides Namespace (duplicates ignored).
	Namespaces []string
	// Retention is the workflow retention of the namespaces. 0 (default):
	// DefaultRetention for new namespaces, existing ones left as they are;
	// set: new namespaces get it and existing ones are updated to it.
	Retention time.Duration
	// DB selects persistence. "" (default): SQLite in StateDir.
	// "postgres://user:password@host:port/dbname?sslmode=disable": PostgreSQL,
	// databases dbname (default "temporal") and dbname+VisibilitySuffix,
	// created when missing, their schemas set up on first start and upgraded
	// on later ones. StateDir still holds the lock and ports.json.
	DB string
	// HistoryShards is the number of history shards of a PostgreSQL store,
	// fixed at its first start; 0: 4. SQLite always uses 1.
	HistoryShards int
}

// DefaultStateDir returns $REEL_STATE_DIR, else $XDG_STATE_HOME/reel, else
// ~/.local/state/reel.
func DefaultStateDir() string {
	if d := os.Getenv("REEL_STATE_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "reel")
	}
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		return filepath.Join(home, ".local", "state", "reel")
	}
	return filepath.Join(os.TempDir(), "reel-state")
}

// Server is a running embedded Temporal server.
type Server struct {
	hostPort   string
	bindAddr   string
	namespace  string
	namespaces []string
	srv        temporal.Server
	lock       *stateLock
	muteLogs   *atomic.Bool // set on Stop: drops the server's shutdown noise
	pki        *internalPKI // nil without TLS

	stopOnce sync.Once
	stopErr  error
}

// HostPort returns the frontend address, e.g. "127.0.0.1:41234".
func (s *Server) HostPort() string { return s.hostPort }

// Namespace returns the namespace registered by Start.
func (s *Server) Namespace() string { return s.namespace }

// Namespaces returns every namespace Start registered, Namespace first.
func (s *Server) Namespaces() []string { return append([]string(nil), s.namespaces...) }

// ListenAddr returns the address the frontend listens on, e.g.
// "0.0.0.0:7233"; HostPort is the address to dial it from this host.
func (s *Server) ListenAddr() string { return s.bindAddr }

// InternalClientTLS returns a client TLS configuration for clients in this
// process (a web UI, tests): it presents the server's in-memory internal
// certificate and verifies the frontend's internal one (server name
// InternalServerName). It is nil when the server runs without TLS.
func (s *Server) InternalClientTLS() *tls.Config {
	if s.pki == nil {
		return nil
	}
	return s.pki.client.Clone()
}

// Stop shuts the server down gracefully and releases the state directory.
// It is safe to call more than once; later calls return the first result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		s.muteLogs.Store(true)
		err := s.srv.Stop()
		if uerr := s.lock.unlock(); err == nil && uerr != nil {
			err = fmt.Errorf("release state dir lock: %w", uerr)
		}
		s.stopErr = err
	})
	return s.stopErr
}

func (cfg *Config) applyDefaults() error {
	if cfg.StateDir == "" {
		cfg.StateDir = DefaultStateDir()
	}
	if cfg.Host == "" || cfg.Host == "localhost" {
		cfg.Host = DefaultHost
	}
	if cfg.Namespace == "" {
		cfg.Namespace = DefaultNamespace
	}
	if cfg.Logger == nil {
		cfg.Logger = discardLogger()
	}

	ip := net.ParseIP(cfg.Host)
	switch {
	case cfg.AllowRemote && ip == nil:
		return fmt.Errorf("temporal server: host %q must be an IP address such as 0.0.0.0 or 127.0.0.1", cfg.Host)
	case cfg.AllowRemote:
	case ip == nil || ip.To4() == nil:
		return fmt.Errorf("embedded temporal: host %q must be an IPv4 loopback address such as 127.0.0.1", cfg.Host)
	case !ip.IsLoopback():
		return fmt.Errorf("embedded temporal: host %q is not a loopback address; the embedded server only listens locally", cfg.Host)
	}
	if cfg.Retention < 0 {
		return fmt.Errorf("temporal server: negative retention %s", cfg.Retention)
	}
	if cfg.HistoryShards < 0 {
		return fmt.Errorf("temporal server: negative history shards %d", cfg.HistoryShards)
	}
	if cfg.Port < 0 || cfg.Port+NumPorts-1 > 65535 {
		return fmt.Errorf("embedded temporal: port %d out of range (0 for free ports, else needs %d consecutive ports up to 65535)", cfg.Port, NumPorts)
	}
	if err := cfg.TLS.validate(); err != nil {
		return fmt.Errorf("embedded temporal: %w", err)
	}
	return nil
}

// Start starts the embedded server and returns once its frontend answers
// requests for cfg.Namespace. ctx bounds only the startup; the server keeps
// running until Stop is called.
func Start(ctx context.Context, cfg Config) (_ *Server, retErr error) {
	if err := cfg.applyDefaults(); err != nil {
		return nil, err
	}
	stateDir, err := filepath.Abs(cfg.StateDir)
	if err != nil {
		return nil, fmt.Errorf("embedded temporal: state dir: %w", err)
	}
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return nil, fmt.Errorf("embedded temporal: create state dir: %w", err)
	}

	lock, err := lockStateDir(filepath.Join(stateDir, lockFileName))
	if err != nil {
		return nil, fmt.Errorf("embedded temporal: %w", err)
	}
	defer func() {
		if retErr != nil {
			_ = lock.unlock()
		}
	}()

	h := hostsFor(cfg.Host)

	// Right after taking the lock, so that a process that finds the state
	// directory locked reads this server's ports, not a previous one's.
	ports, err := resolvePorts(stateDir, cfg)
	if err != nil {
		return nil, err
	}
	if err := writePorts(stateDir, h.dial, ports); err != nil {
		return nil, fmt.Errorf("embedded temporal: %w", err)
	}

	st, err := openStore(stateDir, cfg)
	if err != nil {
		return nil, fmt.Errorf("temporal server: %w", err)
	}
	namespaces := namespaceList(cfg)
	retention := cfg.Retention
	if retention == 0 {
		retention = DefaultRetention
	}
	muteLogs := new(atomic.Bool)
	logger := newServerLogger(cfg.Logger, muteLogs)
	logger.secret = st.password
	if err := st.prepare(stateDir, namespaces, retention, logger); err != nil {
		return nil, fmt.Errorf("embedded temporal: %w", err)
	}

	var pki *internalPKI
	var tlsCfg *config.RootTLS
	if cfg.TLS.Enabled() {
		if pki, err = newInternalPKI(); err != nil {
			return nil, fmt.Errorf("embedded temporal: %w", err)
		}
		rt := rootTLS(cfg.TLS, pki)
		tlsCfg = &rt
	}

	srv, err := newTemporalServer(h, ports, st, tlsCfg, logger)
	if err != nil {
		return nil, fmt.Errorf("embedded temporal: %w", err)
	}
	if err := srv.Start(); err != nil {
		_ = srv.Stop()
		return nil, fmt.Errorf("embedded temporal: start: %w", st.scrub(err))
	}
	s := &Server{
		hostPort:   net.JoinHostPort(h.dial, strconv.Itoa(ports[0])),
		bindAddr:   net.JoinHostPort(h.frontend, strconv.Itoa(ports[0])),
		namespaces: namespaces,
		namespace:  cfg.Namespace,
		srv:        srv,
		lock:       lock,
		muteLogs:   muteLogs,
		pki:        pki,
	}
	for _, ns := range namespaces {
		if err := waitReady(ctx, s.hostPort, ns, s.InternalClientTLS()); err != nil {
			_ = s.Stop()
			return nil, fmt.Errorf("embedded temporal: %w", err)
		}
	}
	if cfg.Retention != 0 {
		if err := s.setRetention(ctx, cfg.Retention); err != nil {
			_ = s.Stop()
			return nil, fmt.Errorf("temporal server: %w", err)
		}
	}
	return s, nil
}

// PortInUseError reports that one of the embedded server's ports is taken.
// errors.Is(err, ErrPortInUse) holds for it.
type PortInUseError struct {
	Port int    // the taken port
	Role string // "frontend", "history", "matching" or "worker"
}

func (e *PortInUseError) Error() string {
	const hint = "is another reel already running? use --temporal host:port or --embedded-port"
	if e.Role == "frontend" {
		return fmt.Sprintf("port %d in use: %s", e.Port, hint)
	}
	return fmt.Sprintf("port %d (embedded Temporal %s service, next to the frontend port) in use: %s", e.Port, e.Role, hint)
}

func (e *PortInUseError) Is(target error) bool { return target == ErrPortInUse }

// roleName names the service on the i-th port.
func roleName(i int) string {
	return [NumPorts]string{"frontend", "history", "matching", "worker"}[i]
}

// resolvePorts returns the server's ports, checked free: the block
// cfg.Port..cfg.Port+3 if cfg.Port is set, else the ones recorded in stateDir
// if they are all free, else NumPorts free ports chosen by the kernel.
//
// Checking here fails early (and clearly) when a port is taken; the server
// itself would otherwise abort the whole process from deep inside its gRPC
// setup. A port may still be taken by someone else between this check and
// the server's bind.
func resolvePorts(stateDir string, cfg Config) ([NumPorts]int, error) {
	if cfg.Port > 0 {
		var want [NumPorts]int
		for i := range want {
			want[i] = cfg.Port + i
		}
		return listenAll(hostsFor(cfg.Host).bind(), want)
	}
	switch rec, err := readPorts(stateDir); {
	case err == nil:
		ports, lerr := listenAll(hostsFor(cfg.Host).bind(), rec.ports())
		if lerr == nil {
			return ports, nil
		}
		cfg.Logger.Info("embedded temporal: recorded ports not usable, choosing new ones", "err", lerr)
	case !errors.Is(err, os.ErrNotExist):
		cfg.Logger.Warn("embedded temporal: ignoring unreadable ports file, choosing new ports", "err", err)
	}
	return listenAll(hostsFor(cfg.Host).bind(), [NumPorts]int{})
}

// listenAll listens on host at each of want's ports (0: a free port chosen
// by the kernel) all at once, so that the ports are distinct, closes the
// listeners and returns the ports. A taken port is a *PortInUseError.
func listenAll(hosts [NumPorts]string, want [NumPorts]int) (got [NumPorts]int, err error) {
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			_ = ln.Close()
		}
	}()
	for i, port := range want {
		host := hosts[i]
		ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			if port != 0 && errors.Is(err, syscall.EADDRINUSE) {
				return got, &PortInUseError{Port: port, Role: roleName(i)}
			}
			return got, fmt.Errorf("embedded temporal: cannot listen on %s:%d: %w", host, port, err)
		}
		lns = append(lns, ln)
		got[i] = ln.Addr().(*net.TCPAddr).Port
	}
	return got, nil
}

// portsFile is the layout of PortsFileName.
type portsFile struct {
	Host     string `json:"host"`
	Frontend int    `json:"frontend"`
	History  int    `json:"history"`
	Matching int    `json:"matching"`
	Worker   int    `json:"worker"`
}

func (p portsFile) ports() [NumPorts]int {
	return [NumPorts]int{p.Frontend, p.History, p.Matching, p.Worker}
}

func (p portsFile) validate() error {
	if ip := net.ParseIP(p.Host); ip == nil || ip.IsUnspecified() {
		return fmt.Errorf("host %q is not an IP address to dial", p.Host)
	}
	seen := map[int]bool{}
	for i, port := range p.ports() {
		if port < 1 || port > 65535 {
			return fmt.Errorf("%s port %d out of range", roleName(i), port)
		}
		if seen[port] {
			return fmt.Errorf("port %d recorded twice", port)
		}
		seen[port] = true
	}
	return nil
}

// readPorts reads and checks the ports recorded in stateDir. A missing file
// is an error for which errors.Is(err, os.ErrNotExist) holds.
func readPorts(stateDir string) (portsFile, error) {
	path := filepath.Join(stateDir, PortsFileName)
	var p portsFile
	b, err := os.ReadFile(path)
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("%s: %w", path, err)
	}
	if err := p.validate(); err != nil {
		return p, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// writePorts records host and ports in stateDir, whole or not at all: a
// reader sees the previous file or the new one, never a partial one. The
// caller holds the state directory's lock.
func writePorts(stateDir, host string, ports [NumPorts]int) (retErr error) {
	p := portsFile{Host: host, Frontend: ports[0], History: ports[1], Matching: ports[2], Worker: ports[3]}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("record ports: %w", err)
	}
	b = append(b, '\n')
	path := filepath.Join(stateDir, PortsFileName)
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		return fmt.Errorf("record ports: %w", err)
	}
	defer func() {
		if retErr != nil {
			_ = os.Remove(tmp)
		}
	}()
	if _, err := f.Write(b); err != nil {
		_ = f.Close()
		return fmt.Errorf("record ports: %w", err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("record ports: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("record ports: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("record ports: %w", err)
	}
	// Best effort: make the rename itself durable.
	if d, err := os.Open(stateDir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// RecordedHostPort returns the frontend address ("127.0.0.1:41234") that the
// embedded server last started on stateDir recorded there; while a server
// holds stateDir, that is where it listens. It fails, with
// errors.Is(err, os.ErrNotExist), when no server has recorded its ports yet.
func RecordedHostPort(stateDir string) (string, error) {
	p, err := readPorts(stateDir)
	if errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("no embedded Temporal server address recorded in state dir %s (no %s): %w", stateDir, PortsFileName, err)
	}
	if err != nil {
		return "", fmt.Errorf("embedded Temporal server address of state dir %s: %w", stateDir, err)
	}
	return net.JoinHostPort(p.Host, strconv.Itoa(p.Frontend)), nil
}

func sqliteConfig(dbPath string) *config.SQL {
	return &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: dbPath,
		ConnectAttributes: map[string]string{
			"mode": "rwc",
			// WAL keeps the file consistent if the process is killed and is
			// faster than the rollback journal; NORMAL sync is durable against
			// process crashes (only an OS crash may lose the last commits).
			"journal_mode": "wal",
			"synchronous":  "normal",
			"busy_timeout": "10000",
		},
	}
}

// ensureSchema creates the SQLite schema on first start. Completion is
// recorded in a marker file, so a database left behind by a start that was
// interrupted half-way through schema setup is discarded and recreated rather
// than used with missing tables.
//
// The same *config.SQL must be used for the server: the sqlite plugin pools
// connections by DSN for the life of the process.
func ensureSchema(stateDir string, sqlCfg *config.SQL) error {
	marker := filepath.Join(stateDir, schemaDoneName)
	if _, err := os.Stat(marker); err == nil {
		if _, err := os.Stat(sqlCfg.DatabaseName); err != nil {
			return fmt.Errorf("state dir %s has a schema marker but no database (%v); remove %s to start from scratch", stateDir, err, marker)
		}
		return nil
	}
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		if err := os.Remove(sqlCfg.DatabaseName + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove incomplete database: %w", err)
		}
	}
	if err := sqliteschema.SetupSchema(sqlCfg); err != nil {
		return fmt.Errorf("set up sqlite schema in %s: %w", sqlCfg.DatabaseName, err)
	}
	f, err := os.Create(marker)
	if err != nil {
		return fmt.Errorf("write schema marker: %w", err)
	}
	_, _ = f.WriteString("temporal sqlite schema v3\n")
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("write schema marker: %w", err)
	}
	return f.Close()
}

// newTemporalServer builds the server on host, with ports in the order
// frontend, history, matching, worker.
// tlsCfg nil: no TLS.
func newTemporalServer(h hosts, ports [NumPorts]int, st *store, tlsCfg *config.RootTLS, logger serverLogger) (temporal.Server, error) {
	binds := h.bind()
	addr := func(i int) string {
		if i == 0 {
			return net.JoinHostPort(h.dial, strconv.Itoa(ports[0]))
		}
		return net.JoinHostPort(binds[i], strconv.Itoa(ports[i]))
	}
	frontendAddr := addr(0)

	svc := func(i int) config.Service {
		return config.Service{RPC: config.RPC{
			GRPCPort: ports[i],
			BindOnIP: binds[i],
			// HTTPPort 0: no HTTP API; membership ports are unused because
			// the services find each other through static hosts below.
		}}
	}

	const storeName, visStoreName = "default", "visibility"
	conf := &config.Config{}
	conf.Global.Membership.MaxJoinDuration = 30 * time.Second
	conf.Global.Membership.BroadcastAddress = h.internal
	if tlsCfg != nil {
		conf.Global.TLS = *tlsCfg
	}
	// Global.Metrics nil: no-op metrics, no metrics listener. PProf port 0: off.
	conf.Persistence = config.Persistence{
		DefaultStore:    storeName,
		VisibilityStore: visStoreName,
		// One shard is plenty for a single node over a single SQLite
		// connection and keeps startup fast; PostgreSQL gets a few. It is
		// persisted on first start and cannot be changed afterwards.
		NumHistoryShards: st.shards,
		DataStores: map[string]config.DataStore{
			storeName:    {SQL: st.main},
			visStoreName: {SQL: st.visibility},
		},
	}
	if st.visibility == st.main {
		// SQLite: one database file holds both.
		conf.Persistence.VisibilityStore = storeName
		delete(conf.Persistence.DataStores, visStoreName)
	}
	conf.ClusterMetadata = &cluster.Config{
		EnableGlobalNamespace:    false,
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			clusterName: {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             frontendAddr,
				// ClusterID empty: generated on first start and persisted.
			},
		},
	}
	conf.DCRedirectionPolicy.Policy = "noop"
	conf.Services = map[string]config.Service{
		string(primitives.FrontendService): svc(0),
		string(primitives.HistoryService):  svc(1),
		string(primitives.MatchingService): svc(2),
		string(primitives.WorkerService):   svc(3),
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	conf.PublicClient.HostPort = frontendAddr

	authorizer, err := authorization.GetAuthorizerFromConfig(&conf.Global.Authorization)
	if err != nil {
		return nil, fmt.Errorf("authorizer: %w", err)
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&conf.Global.Authorization, logger)
	if err != nil {
		return nil, fmt.Errorf("claim mapper: %w", err)
	}

	dc := dynamicconfig.StaticClient{
		// Single node: one task queue partition avoids forwarding between
		// partitions and gives the lowest dispatch latency.
		dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():  1,
		dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): 1,
		// Local tooling lists workflows a lot; the default is low.
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
	}

	return temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(map[primitives.ServiceName]static.Hosts{
			primitives.FrontendService: static.SingleLocalHost(addr(0)),
			primitives.HistoryService:  static.SingleLocalHost(addr(1)),
			primitives.MatchingService: static.SingleLocalHost(addr(2)),
			primitives.WorkerService:   static.SingleLocalHost(addr(3)),
		}),
		temporal.WithLogger(logger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithDynamicConfigClient(dc),
	)
}

// waitReady polls the frontend with an SDK client until it is healthy and
// the namespace can be described.
func waitReady(ctx context.Context, hostPort, namespace string, tlsCfg *tls.Config) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()

	var lastErr error
	for {
		lastErr = probe(ctx, hostPort, namespace, tlsCfg)
		if lastErr == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("frontend at %s did not become ready within %s: %w", hostPort, readyTimeout, lastErr)
			}
			return fmt.Errorf("waiting for frontend at %s: %w (last error: %v)", hostPort, ctx.Err(), lastErr)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func probe(ctx context.Context, hostPort, namespace string, tlsCfg *tls.Config) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	c, err := sdkclient.DialContext(ctx, sdkclient.Options{
		HostPort:  hostPort,
		Namespace: namespace,
		// Failed attempts are expected while the server comes up; the
		// last one is reported if the timeout is hit.
		Logger:            sdklog.NewStructuredLogger(discardLogger()),
		ConnectionOptions: sdkclient.ConnectionOptions{TLS: tlsCfg},
	})
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.CheckHealth(ctx, &sdkclient.CheckHealthRequest{}); err != nil {
		return err
	}
	_, err = c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace})
	return err
}

// hosts are the addresses the server's services use.
type hosts struct {
	frontend string // the frontend binds here (cfg.Host)
	internal string // history, matching and worker bind here: cfg.Host when loopback, else 127.0.0.1
	dial     string // the frontend is dialed here from this host: cfg.Host, or 127.0.0.1 when that is 0.0.0.0/::
}

func hostsFor(host string) hosts {
	h := hosts{frontend: host, internal: host, dial: host}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		h.internal = DefaultHost
	}
	if ip == nil || ip.IsUnspecified() {
		h.dial = DefaultHost
	}
	return h
}

// bind returns the host each port binds to, in port order.
func (h hosts) bind() [NumPorts]string {
	return [NumPorts]string{h.frontend, h.internal, h.internal, h.internal}
}

// namespaceList returns cfg.Namespace followed by cfg.Namespaces, without
// duplicates or empty names.
func namespaceList(cfg Config) []string {
	seen := map[string]bool{}
	var out []string
	for _, ns := range append([]string{cfg.Namespace}, cfg.Namespaces...) {
		if ns == "" || seen[ns] {
			continue
		}
		seen[ns] = true
		out = append(out, ns)
	}
	return out
}

// setRetention updates the retention of the server's namespaces that have
// another one (namespaces registered earlier with another retention).
func (s *Server) setRetention(ctx context.Context, retention time.Duration) error {
	c, err := sdkclient.DialContext(ctx, sdkclient.Options{
		HostPort:          s.hostPort,
		Logger:            sdklog.NewStructuredLogger(discardLogger()),
		ConnectionOptions: sdkclient.ConnectionOptions{TLS: s.InternalClientTLS()},
	})
	if err != nil {
		return err
	}
	defer c.Close()
	for _, ns := range s.namespaces {
		d, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: ns})
		if err != nil {
			return fmt.Errorf("namespace %q: %w", ns, err)
		}
		if d.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration() == retention {
			continue
		}
		if _, err := c.WorkflowService().UpdateNamespace(ctx, &workflowservice.UpdateNamespaceRequest{
			Namespace: ns,
			Config:    &namespacepb.NamespaceConfig{WorkflowExecutionRetentionTtl: durationpb.New(retention)},
		}); err != nil {
			return fmt.Errorf("namespace %q: set retention %s: %w", ns, retention, err)
		}
	}
	return nil
}
