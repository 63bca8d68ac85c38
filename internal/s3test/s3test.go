// Package s3test runs a real S3 server for tests: versitygw over a
// temporary directory on a free loopback port. It installs versitygw with
// scripts/versitygw.sh when it is not on PATH or in GOPATH/bin; tests skip
// (with the reason) only if that fails.
package s3test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/reel-video/reel/mezzfs"
)

// Credentials the server accepts.
const (
	AccessKey = "reeltestaccess"
	SecretKey = "reeltestsecret0123456789"
)

// Server is a running versitygw.
type Server struct {
	// Endpoint is "http://127.0.0.1:PORT".
	Endpoint string
	// Dir is the posix backend's root: bucket b is Dir/b.
	Dir string

	cmd  *exec.Cmd
	out  *bytes.Buffer
	done chan error
	once sync.Once
}

// Binary returns the path of versitygw, installing it if needed.
func Binary() (string, error) {
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p, nil
	}
	if gopath, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		p := filepath.Join(strings.TrimSpace(string(gopath)), "bin", "versitygw")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "..", "..", "scripts", "versitygw.sh")
	var stderr bytes.Buffer
	cmd := exec.Command("bash", script)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("installing versitygw with %s: %w: %s", script, err, lastLines(stderr.String(), 5))
	}
	return strings.TrimSpace(string(out)), nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// FreePort returns a loopback port that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start runs versitygw on dir (created if missing). Call Stop when done.
func Start(dir string) (*Server, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var lastErr error
	for range 3 { // the free port can be taken between probe and bind
		port, err := FreePort()
		if err != nil {
			return nil, err
		}
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		s := &Server{Endpoint: "http://" + addr, Dir: dir, out: &bytes.Buffer{}, done: make(chan error, 1)}
		s.cmd = exec.Command(bin, "--access", AccessKey, "--secret", SecretKey, "--port", addr, "posix", dir)
		s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
		// Die with the test binary even if it is killed (timeout, panic).
		s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := s.cmd.Start(); err != nil {
			return nil, fmt.Errorf("starting versitygw: %w", err)
		}
		go func() { s.done <- s.cmd.Wait() }()
		if err := s.waitReady(addr, 20*time.Second); err != nil {
			s.Stop()
			lastErr = fmt.Errorf("versitygw on %s: %w: %s", addr, err, lastLines(s.out.String(), 5))
			continue
		}
		return s, nil
	}
	return nil, lastErr
}

func (s *Server) waitReady(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			s.done <- err
			return fmt.Errorf("exited: %v", err)
		default:
		}
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("not listening")
}

// Stop kills the server and waits for it.
func (s *Server) Stop() {
	s.once.Do(func() {
		if s.cmd.Process != nil {
			s.cmd.Process.Kill()
		}
		<-s.done
	})
}

// Options returns S3Options for this server with the right credentials.
func (s *Server) Options() mezzfs.S3Options {
	return mezzfs.S3Options{
		Endpoint:  s.Endpoint,
		Region:    "us-east-1",
		PathStyle: true,
		AccessKey: AccessKey,
		SecretKey: SecretKey,
	}
}

// NewBucket creates bucket and returns a store on it.
func (s *Server) NewBucket(ctx context.Context, bucket string) (*mezzfs.S3Store, error) {
	st, err := mezzfs.NewS3Store(ctx, bucket, s.Options())
	if err != nil {
		return nil, err
	}
	if err := st.MakeBucket(ctx); err != nil {
		return nil, err
	}
	return st, nil
}

// Main is for TestMain: it starts a server in a temporary directory and
// returns it (nil and the reason when versitygw is unavailable) and a
// cleanup function.
func Main() (*Server, func(), error) {
	dir, err := os.MkdirTemp("", "mezzfs-versitygw-")
	if err != nil {
		return nil, func() {}, err
	}
	s, err := Start(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, func() {}, err
	}
	return s, func() { s.Stop(); os.RemoveAll(dir) }, nil
}

// RunMain is a package's TestMain: it starts a server with Main into *srv
// (or, when versitygw is unavailable, the reason into *reason, said on
// stderr: the package's S3 tests will skip with Require), runs m, stops
// the server and exits with m's code.
func RunMain(m *testing.M, pkg string, srv **Server, reason *error) {
	var stop func()
	*srv, stop, *reason = Main()
	if *reason != nil {
		fmt.Fprintf(os.Stderr, "%s tests: S3 tests will skip: %v\n", pkg, *reason)
	}
	code := m.Run()
	stop()
	os.Exit(code)
}

// Require skips tb when s is nil, giving the reason.
func Require(tb testing.TB, s *Server, reason error) *Server {
	tb.Helper()
	if s == nil {
		tb.Skipf("skipping: no S3 server (versitygw): %v", reason)
	}
	return s
}

// GetAll streams the whole object with one plain GET (no range, no
// mezzfs) into w: the baseline the benchmarks compare the Reader with.
func (s *Server) GetAll(ctx context.Context, bucket, key string, w io.Writer) (int64, error) {
	c, err := minio.NewCore(strings.TrimPrefix(s.Endpoint, "http://"), &minio.Options{
		Creds:        credentials.NewStaticV4(AccessKey, SecretKey, ""),
		Region:       "us-east-1",
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		return 0, err
	}
	body, _, _, err := c.GetObject(ctx, bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return 0, err
	}
	defer body.Close()
	return io.Copy(w, body)
}

// BenchObject creates bucket holding a size-byte object "bench.bin" of
// incompressible bytes, for benchmarks; call it once per bucket.
func (s *Server) BenchObject(ctx context.Context, bucket string, size int64) (*mezzfs.S3Store, error) {
	st, err := s.NewBucket(ctx, bucket)
	if err != nil {
		return nil, err
	}
	return st, st.Put(ctx, "bench.bin", io.LimitReader(&pseudoRandom{x: 0x2545f4914f6cdd1d}, size), size)
}

// pseudoRandom is an endless xorshift byte stream (incompressible, cheap).
type pseudoRandom struct{ x uint64 }

func (p *pseudoRandom) Read(b []byte) (int, error) {
	for i := range b {
		p.x ^= p.x << 13
		p.x ^= p.x >> 7
		p.x ^= p.x << 17
		b[i] = byte(p.x)
	}
	return len(b), nil
}
