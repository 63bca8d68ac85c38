package tserver

import (
	"context"
	"crypto/tls"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/reel-video/reel/internal/certtest"
)

func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func dialTLS(ctx context.Context, hostPort string, tc *tls.Config) (client.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return client.DialContext(ctx, client.Options{
		HostPort:          hostPort,
		Namespace:         DefaultNamespace,
		Logger:            sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)),
		ConnectionOptions: client.ConnectionOptions{TLS: tc},
	})
}

// TestMutualTLS starts the server with a certificate and a client CA made
// here, runs a workflow through a client that presents a certificate signed
// by that CA, and checks that clients without one, with one from another CA,
// or without TLS at all are refused.
func TestMutualTLS(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	serverCA := certtest.NewCA(t, "test server CA")
	clientCA := certtest.NewCA(t, "test client CA")
	otherCA := certtest.NewCA(t, "test other CA")
	scert, skey := serverCA.Server("test server")
	ccert, ckey := clientCA.Client("test client")
	ocert, okey := otherCA.Client("intruder")

	cfg := Config{
		StateDir: filepath.Join(t.TempDir(), "state"),
		Logger:   testLogger(),
		TLS:      TLS{CertFile: scert, KeyFile: skey, ClientCAFile: clientCA.File},
	}
	s := mustStart(ctx, t, cfg)
	if s.InternalClientTLS() == nil {
		t.Fatal("InternalClientTLS is nil with TLS on")
	}

	roots := serverCA.Pool()
	pair, err := tls.LoadX509KeyPair(ccert, ckey)
	if err != nil {
		t.Fatal(err)
	}
	good := &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{pair}}

	c, err := dialTLS(ctx, s.HostPort(), good)
	if err != nil {
		t.Fatalf("dial with a client certificate: %v", err)
	}
	defer c.Close()
	w := startWorker(t, c)
	defer w.Stop()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "tls-upper", TaskQueue: testTaskQueue}, upperWorkflow, "secure")
	if err != nil {
		t.Fatalf("start workflow over mTLS: %v", err)
	}
	var out string
	if err := run.Get(ctx, &out); err != nil || out != "SECURE" {
		t.Fatalf("workflow over mTLS = %q, %v; want SECURE", out, err)
	}

	// The Web UI reaches the mTLS frontend with the internal certificate
	// and lists the workflow.
	ui, err := s.StartUI(ctx, UIConfig{Addr: "127.0.0.1:0", ReadOnly: true})
	if err != nil {
		t.Fatalf("StartUI: %v", err)
	}
	waitUIListsWorkflow(ctx, t, ui.URL(), DefaultNamespace, "tls-upper")
	ui.Stop()

	// The in-process client configuration works too.
	ic, err := dialTLS(ctx, s.HostPort(), s.InternalClientTLS())
	if err != nil {
		t.Fatalf("dial with the internal client TLS: %v", err)
	}
	ic.Close()

	opair, err := tls.LoadX509KeyPair(ocert, okey)
	if err != nil {
		t.Fatal(err)
	}
	refused := map[string]*tls.Config{
		"no client certificate":            {RootCAs: roots},
		"certificate from an untrusted CA": {RootCAs: roots, Certificates: []tls.Certificate{opair}},
		"plain gRPC":                       nil,
		// The internal server name only accepts internal certificates.
		"client certificate on the internal name": {RootCAs: roots, Certificates: []tls.Certificate{pair}, ServerName: InternalServerName, InsecureSkipVerify: true},
	}
	for name, tc := range refused {
		bc, err := dialTLS(ctx, s.HostPort(), tc)
		if err == nil {
			_, err = bc.CheckHealth(ctx, &client.CheckHealthRequest{})
			bc.Close()
		}
		if err == nil {
			t.Errorf("%s: connection accepted, want refused", name)
		}
	}

	if err := s.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
}

// TestServerTLSOnly: with a certificate but no client CA the frontend serves
// TLS to any client that trusts the server, and still refuses plain gRPC.
func TestServerTLSOnly(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ca := certtest.NewCA(t, "test server CA")
	scert, skey := ca.Server("test server")
	s := mustStart(ctx, t, Config{
		StateDir: filepath.Join(t.TempDir(), "state"),
		Logger:   testLogger(),
		TLS:      TLS{CertFile: scert, KeyFile: skey},
	})
	defer s.Stop()
	c, err := dialTLS(ctx, s.HostPort(), &tls.Config{RootCAs: ca.Pool()})
	if err != nil {
		t.Fatalf("dial over TLS without a client certificate: %v", err)
	}
	if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		t.Fatalf("health over TLS: %v", err)
	}
	c.Close()
	if pc, err := dialTLS(ctx, s.HostPort(), nil); err == nil {
		_, err = pc.CheckHealth(ctx, &client.CheckHealthRequest{})
		pc.Close()
		if err == nil {
			t.Error("plain gRPC accepted by a TLS frontend")
		}
	}
}

func TestTLSConfigErrors(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := certtest.NewCA(t, "ca").Server("server")
	junk := writeFile(t, dir, "junk.pem", []byte("not pem"))
	cases := []struct {
		tls  TLS
		want string
	}{
		{TLS{CertFile: certFile}, "both a certificate file and a key file"},
		{TLS{ClientCAFile: certFile}, "both a certificate file and a key file"},
		{TLS{CertFile: certFile, KeyFile: junk}, "junk.pem"},
		{TLS{CertFile: certFile, KeyFile: keyFile, ClientCAFile: junk}, "no PEM certificate"},
		{TLS{CertFile: certFile, KeyFile: keyFile, ClientCAFile: filepath.Join(dir, "missing.pem")}, "missing.pem"},
	}
	for _, c := range cases {
		_, err := Start(context.Background(), Config{StateDir: filepath.Join(dir, "state"), TLS: c.tls})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Start with %+v: error %v, want one containing %q", c.tls, err, c.want)
		}
	}
}
