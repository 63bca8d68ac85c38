// Package pgtest starts a throwaway PostgreSQL server for tests: Debian's
// postgresql package (initdb and pg_ctl from /usr/lib/postgresql/<ver>/bin),
// a cluster in a fresh temporary directory, listening on a free loopback
// port, with a password-authenticated superuser. When the process runs as
// root (as in CI) the server runs as the "postgres" system user, which
// PostgreSQL requires.
//
// Start returns ErrUnavailable (wrapped, with the reason) when PostgreSQL is
// not installed or cannot be started here; New turns that into a t.Skip.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ErrUnavailable is returned (wrapped) by Start when PostgreSQL cannot be
// run on this machine.
var ErrUnavailable = errors.New("postgresql unavailable")

// User is the superuser the cluster is created with.
const User = "reel"

// Server is a running PostgreSQL cluster.
type Server struct {
	bin      string // directory of initdb, pg_ctl
	dir      string // temporary directory holding everything
	data     string // cluster data directory
	runAs    string // system user the server runs as, "" for the current one
	port     int
	password string
}

// New starts a server for the test and stops it at cleanup. It skips the
// test, with the reason, when PostgreSQL is unavailable.
func New(t testing.TB) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := Start(ctx)
	if errors.Is(err, ErrUnavailable) {
		t.Skip("pgtest: " + err.Error())
	}
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return s
}

// Start initialises a cluster in a new temporary directory and starts it on
// a free loopback port. Stop stops it and removes the directory.
func Start(ctx context.Context) (_ *Server, retErr error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin}
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root.
		s.runAs = "postgres"
	}
	var uid, gid = -1, -1
	if s.runAs != "" {
		u, err := user.Lookup(s.runAs)
		if err != nil {
			return nil, fmt.Errorf("%w: running as root and no %q system user to run the server as: %v", ErrUnavailable, s.runAs, err)
		}
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
	}

	s.dir, err = os.MkdirTemp("", "reel-pgtest-")
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	defer func() {
		if retErr != nil {
			_ = os.RemoveAll(s.dir)
		}
	}()
	if uid >= 0 {
		if err := os.Chown(s.dir, uid, gid); err != nil {
			return nil, fmt.Errorf("pgtest: chown %s to %s: %w", s.dir, s.runAs, err)
		}
	}
	s.data = filepath.Join(s.dir, "data")
	s.password = randomHex(16)
	pwfile := filepath.Join(s.dir, "pwfile")
	if err := os.WriteFile(pwfile, []byte(s.password+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	if uid >= 0 {
		if err := os.Chown(pwfile, uid, gid); err != nil {
			return nil, fmt.Errorf("pgtest: %w", err)
		}
	}

	if out, err := s.run(ctx, "initdb", "-D", s.data, "-U", User, "--pwfile", pwfile,
		"--auth", "scram-sha-256", "-E", "UTF8", "--locale", "C", "--no-sync"); err != nil {
		return nil, fmt.Errorf("%w: initdb: %v: %s", ErrUnavailable, err, out)
	}
	_ = os.Remove(pwfile)

	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	s.port = port
	opts := strings.Join([]string{
		"-c listen_addresses=127.0.0.1",
		"-p " + strconv.Itoa(port),
		"-k " + s.dir, // Unix socket here, not in /var/run/postgresql
		"-c fsync=off",
		"-c synchronous_commit=off",
		"-c full_page_writes=off",
	}, " ")
	logFile := filepath.Join(s.dir, "server.log")
	if out, err := s.run(ctx, "pg_ctl", "-D", s.data, "-l", logFile, "-o", opts, "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(logFile)
		return nil, fmt.Errorf("%w: pg_ctl start: %v: %s %s", ErrUnavailable, err, out, tail(log, 2000))
	}
	return s, nil
}

// Port returns the TCP port the server listens on (on 127.0.0.1).
func (s *Server) Port() int { return s.port }

// Password returns the password of User.
func (s *Server) Password() string { return s.password }

// DSN returns a postgres:// URL for database db as User, password included,
// without TLS (sslmode=disable).
func (s *Server) DSN(db string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(User, s.password),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)),
		Path:     "/" + db,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// Stop stops the server (fast shutdown) and removes its directory.
func (s *Server) Stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var err error
	if out, serr := s.run(ctx, "pg_ctl", "-D", s.data, "-m", "fast", "-w", "stop"); serr != nil {
		err = fmt.Errorf("pg_ctl stop: %w: %s", serr, out)
	}
	if rerr := os.RemoveAll(s.dir); rerr != nil && err == nil {
		err = rerr
	}
	return err
}

// run runs one of the PostgreSQL programs, as s.runAs when set.
func (s *Server) run(ctx context.Context, prog string, args ...string) (string, error) {
	path := filepath.Join(s.bin, prog)
	var cmd *exec.Cmd
	if s.runAs != "" {
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			return "", fmt.Errorf("%w: running as root needs runuser to run %s as %s: %v", ErrUnavailable, prog, s.runAs, err)
		}
		cmd = exec.CommandContext(ctx, runuser, append([]string{"-u", s.runAs, "--", path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// findBin returns the bin directory of the newest installed PostgreSQL.
func findBin() (string, error) {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) == 0 {
		return "", fmt.Errorf("%w: no /usr/lib/postgresql/*/bin/initdb (install Debian's postgresql package: scripts/deps.sh)", ErrUnavailable)
	}
	sort.Slice(matches, func(i, j int) bool { return version(matches[i]) > version(matches[j]) })
	bin := filepath.Dir(matches[0])
	if _, err := os.Stat(filepath.Join(bin, "pg_ctl")); err != nil {
		return "", fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return bin, nil
}

// version is the major version in /usr/lib/postgresql/<ver>/bin/initdb.
func version(initdb string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return v
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
