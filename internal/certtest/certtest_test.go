package certtest

import (
	"crypto/tls"
	"crypto/x509"
	"strings"
	"testing"
	"time"
)

// loader returns a function loading a certificate and key pair.
func loader(t *testing.T) func(certFile, keyFile string) *x509.Certificate {
	return func(certFile, keyFile string) *x509.Certificate {
		t.Helper()
		pair, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			t.Fatalf("load %s, %s: %v", certFile, keyFile, err)
		}
		c, err := x509.ParseCertificate(pair.Certificate[0])
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
}

// TestIssue: server and client certificates verify against the CA's pool
// for their use (and the server's for 127.0.0.1 and localhost), not against
// another CA, and the validity options are kept.
func TestIssue(t *testing.T) {
	ca, other := NewCA(t, "ca"), NewCA(t, "other")
	load := loader(t)
	srv := load(ca.Server("srv"))
	cli := load(ca.Client("cli"))
	for _, host := range []string{"127.0.0.1", "localhost"} {
		if _, err := srv.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: host}); err != nil {
			t.Errorf("server certificate for %s: %v", host, err)
		}
	}
	if _, err := srv.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: "example.com"}); err == nil {
		t.Error("server certificate verifies for example.com")
	}
	client := []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	if _, err := cli.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: client}); err != nil {
		t.Errorf("client certificate: %v", err)
	}
	if _, err := cli.Verify(x509.VerifyOptions{Roots: ca.Pool()}); err == nil {
		t.Error("client certificate verifies as a server's")
	}
	if _, err := cli.Verify(x509.VerifyOptions{Roots: other.Pool(), KeyUsages: client}); err == nil {
		t.Error("client certificate verifies against another CA")
	}

	end := time.Now().Add(-time.Hour).Truncate(time.Second)
	old := load(ca.Issue("old", Options{NotBefore: end.Add(-time.Hour), NotAfter: end}))
	if !old.NotAfter.Equal(end) {
		t.Errorf("NotAfter %v, want %v", old.NotAfter, end)
	}
	if _, err := old.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: client}); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired certificate: %v, want expired", err)
	}
}
