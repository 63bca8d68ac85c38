package cli

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reel-video/reel/internal/certtest"
	"github.com/reel-video/reel/internal/tserver"
)

// mtlsCluster is the embedded Temporal server with mutual TLS on its
// frontend, and certificates to reach it.
type mtlsCluster struct {
	hp        string       // the frontend's host:port
	ca        *certtest.CA // signs the frontend's certificate and the clients' it accepts
	other     *certtest.CA // a CA the server knows nothing of
	cert, key string       // a client certificate signed by ca, and its key
}

// startMTLSCluster starts an mtlsCluster, skipping the test with -short.
// The context ends after 3 minutes or with the test.
func startMTLSCluster(t *testing.T) (context.Context, mtlsCluster) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts the embedded Temporal server: -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	m := mtlsCluster{ca: certtest.NewCA(t, "cluster-ca"), other: certtest.NewCA(t, "other-ca")}
	srvCert, srvKey := m.ca.Server("frontend")
	srv, err := tserver.Start(ctx, tserver.Config{StateDir: t.TempDir(), Port: freePorts(t),
		TLS: tserver.TLS{CertFile: srvCert, KeyFile: srvKey, ClientCAFile: m.ca.File}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	m.hp = srv.HostPort()
	m.cert, m.key = m.ca.Client("reel-client")
	return ctx, m
}

// reelEnv runs a reel command line with the environment vars.
func reelEnv(ctx context.Context, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	var out, errb syncBuffer
	code = Run(ctx, &Env{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return vars[k] }}, args)
	return code, out.String(), errb.String()
}

// TestConnMTLS: reel commands reach a real Temporal server over mutual TLS
// with certificates made here; a wrong CA, an expired client certificate, a
// missing key and a missing client certificate each fail at once with one
// clear line.
func TestConnMTLS(t *testing.T) {
	ctx, m := startMTLSCluster(t)
	ca, other, hp, cert, key := m.ca, m.other, m.hp, m.cert, m.key
	strangerCert, strangerKey := other.Client("stranger")
	expired, expiredKey := ca.Issue("expired-client", certtest.Options{NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-time.Hour)})
	state := t.TempDir()
	noFile := map[string]string{"TEMPORAL_CONFIG_FILE": filepath.Join(state, "none.toml")}

	// Through connect: a health check answers over mTLS.
	o := connOptions{Temporal: hp, TLSCert: cert, TLSKey: key, TLSCA: ca.File, StateDir: state}
	c, err := o.connect(ctx, mapEnv(noFile))
	if err != nil {
		t.Fatalf("connect over mTLS: %v", err)
	}
	if _, err := c.Client.CheckHealth(ctx, nil); err != nil {
		t.Errorf("health check over mTLS: %v", err)
	}
	c.Close()

	// The same from the environment, as the Temporal CLI reads it: reel
	// status reaches the server, which answers that there is no such
	// workflow.
	env := map[string]string{"TEMPORAL_CONFIG_FILE": noFile["TEMPORAL_CONFIG_FILE"], "TEMPORAL_ADDRESS": hp,
		"TEMPORAL_TLS_CLIENT_CERT_PATH": cert, "TEMPORAL_TLS_CLIENT_KEY_PATH": key, "TEMPORAL_TLS_SERVER_CA_CERT_PATH": ca.File}
	code, _, stderr := reelEnv(ctx, env, "status", "no-such-title", "--state-dir", state)
	if code != exitFailed || !strings.Contains(stderr, "not found") || strings.Contains(stderr, "TLS") {
		t.Errorf("reel status over mTLS from TEMPORAL_*: exit %d, %q; want 1 and the server's not found", code, stderr)
	}

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"wrong CA", []string{"--tls-cert", cert, "--tls-key", key, "--tls-ca", other.File},
			"reel status: TLS: the server certificate of " + hp + " is not signed by --tls-ca " + other.File},
		{"expired client certificate", []string{"--tls-cert", expired, "--tls-key", expiredKey, "--tls-ca", ca.File},
			"reel status: TLS: client certificate (--tls-cert " + expired + ") expired on "},
		{"missing key", []string{"--tls-cert", cert, "--tls-ca", ca.File},
			"reel status: TLS: --tls-cert " + cert + " has no key"},
		{"client certificate of another CA", []string{"--tls-cert", strangerCert, "--tls-key", strangerKey, "--tls-ca", ca.File},
			"reel status: TLS: the server at " + hp + " refused the client certificate --tls-cert " + strangerCert + ": it is not signed by a CA the server accepts"},
		{"no client certificate", []string{"--tls-ca", ca.File},
			"reel status: TLS: the server at " + hp + " refused the connection"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			args := append([]string{"status", "no-such-title", "--temporal", hp, "--state-dir", state}, tc.args...)
			code, stdout, stderr := reelEnv(ctx, noFile, args...)
			t.Logf("exit %d: %s", code, strings.TrimSpace(stderr))
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %v: retried?", d)
			}
			if code != exitFailed || stdout != "" {
				t.Errorf("exit %d, stdout %q; want 1 and nothing", code, stdout)
			}
			if !strings.HasPrefix(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr %q\nwant one line starting %q", stderr, tc.want)
			}
		})
	}
}

// TestConnAPIKeyNotShown: an API key, from the environment or --api-key,
// appears in no output, help or log, on success or failure.
func TestConnAPIKeyNotShown(t *testing.T) {
	ctx, m := startMTLSCluster(t)
	ca, other, hp, cert, key := m.ca, m.other, m.hp, m.cert, m.key
	const secret = "k3y-Sh0uld-N3ver-Sh0w-8f1c2a"
	state := t.TempDir()
	env := map[string]string{"TEMPORAL_CONFIG_FILE": filepath.Join(state, "none.toml"), "TEMPORAL_API_KEY": secret}
	mtls := []string{"--temporal", hp, "--tls-cert", cert, "--tls-key", key, "--state-dir", state}

	var all strings.Builder
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		code int
	}{
		{"env key, served", env, append([]string{"status", "no-such-title", "--tls-ca", ca.File}, mtls...), exitFailed},
		{"flag key, served, verbose", nil, append([]string{"status", "no-such-title", "--tls-ca", ca.File, "--api-key", secret, "--verbose"}, mtls...), exitFailed},
		{"env key, wrong CA", env, append([]string{"status", "no-such-title", "--tls-ca", other.File}, mtls...), exitFailed},
		{"env key, no address", map[string]string{"TEMPORAL_CONFIG_FILE": env["TEMPORAL_CONFIG_FILE"], "TEMPORAL_API_KEY": secret},
			[]string{"status", "no-such-title", "--state-dir", state}, exitFailed},
		{"env key, nobody listening", env, []string{"status", "no-such-title", "--temporal", closedAddr(t), "--state-dir", state}, exitFailed},
		{"help", env, []string{"status", "--help"}, exitOK},
	} {
		code, stdout, stderr := reelEnv(ctx, tc.env, tc.args...)
		if code != tc.code {
			t.Errorf("%s: exit %d, want %d (stderr %q)", tc.name, code, tc.code, stderr)
		}
		all.WriteString(stdout + stderr)
	}
	logs, err := os.ReadFile(filepath.Join(state, "reel.log"))
	if err != nil {
		t.Fatal(err)
	}
	all.Write(logs)
	if strings.Contains(all.String(), secret) || strings.Contains(all.String(), secret[:12]) {
		t.Errorf("the API key shows in the output or log:\n%s", all.String())
	}
	if !strings.Contains(all.String(), "not found") || !strings.Contains(all.String(), "(namespace default, TLS, API key from TEMPORAL_API_KEY)") || !strings.Contains(all.String(), "not signed by") || !strings.Contains(all.String(), "TEMPORAL_API_KEY is set but no Temporal address") {
		t.Errorf("the commands did not run as expected:\n%s", all.String())
	}
}

// closedAddr is a loopback address nobody listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
