package tserver

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
)

// testCA is a CA generated for a test, able to issue certificates.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newTestCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue returns a PEM certificate and key signed by ca, for a server
// (127.0.0.1, localhost) or a client.
func (ca *testCA) issue(t *testing.T, cn string, server bool) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.DNSNames = []string{"localhost"}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}

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

	dir := t.TempDir()
	serverCA := newTestCA(t, "test server CA")
	clientCA := newTestCA(t, "test client CA")
	otherCA := newTestCA(t, "test other CA")
	scert, skey := serverCA.issue(t, "test server", true)
	ccert, ckey := clientCA.issue(t, "test client", false)
	ocert, okey := otherCA.issue(t, "intruder", false)

	cfg := Config{
		StateDir: filepath.Join(dir, "state"),
		Logger:   testLogger(),
		TLS: TLS{
			CertFile:     writeFile(t, dir, "server.pem", scert),
			KeyFile:      writeFile(t, dir, "server.key", skey),
			ClientCAFile: writeFile(t, dir, "client-ca.pem", clientCA.pem),
		},
	}
	s := mustStart(ctx, t, cfg)
	if s.InternalClientTLS() == nil {
		t.Fatal("InternalClientTLS is nil with TLS on")
	}

	roots := x509.NewCertPool()
	roots.AddCert(serverCA.cert)
	pair, err := tls.X509KeyPair(ccert, ckey)
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

	opair, err := tls.X509KeyPair(ocert, okey)
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
	dir := t.TempDir()
	ca := newTestCA(t, "test server CA")
	scert, skey := ca.issue(t, "test server", true)
	s := mustStart(ctx, t, Config{
		StateDir: filepath.Join(dir, "state"),
		Logger:   testLogger(),
		TLS: TLS{
			CertFile: writeFile(t, dir, "server.pem", scert),
			KeyFile:  writeFile(t, dir, "server.key", skey),
		},
	})
	defer s.Stop()
	roots := x509.NewCertPool()
	roots.AddCert(ca.cert)
	c, err := dialTLS(ctx, s.HostPort(), &tls.Config{RootCAs: roots})
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
	ca := newTestCA(t, "ca")
	cert, key := ca.issue(t, "server", true)
	certFile := writeFile(t, dir, "c.pem", cert)
	keyFile := writeFile(t, dir, "k.pem", key)
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
