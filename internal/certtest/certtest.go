// Package certtest makes X.509 certificates for tests: a CA generated in
// the test, and server and client certificates it signs, written as PEM
// files in a temporary directory of the test. Keys are ECDSA P-256.
package certtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// CA is a certificate authority made for one test. Its certificate and the
// certificates it issues are PEM files in a directory of their own, removed
// with the test.
type CA struct {
	// Cert is the CA certificate.
	Cert *x509.Certificate
	// File is the CA certificate's PEM file.
	File string

	tb  testing.TB
	dir string
	key *ecdsa.PrivateKey
}

// Options describe a certificate to issue.
type Options struct {
	// Server makes a server certificate for 127.0.0.1 and localhost;
	// otherwise the certificate is a client's.
	Server bool
	// NotBefore and NotAfter bound the validity. Zero NotBefore is an hour
	// ago; zero NotAfter is a day from now.
	NotBefore, NotAfter time.Time
}

// NewCA makes a CA named name (its common name) valid from an hour ago to a
// day from now. Any failure fails the test.
func NewCA(tb testing.TB, name string) *CA {
	tb.Helper()
	key := newKey(tb)
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(tb),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatalf("certtest: create CA %q: %v", name, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatalf("certtest: parse CA %q: %v", name, err)
	}
	ca := &CA{Cert: cert, tb: tb, dir: tb.TempDir(), key: key}
	ca.File = ca.write(name+"-ca.pem", "CERTIFICATE", der)
	return ca
}

// Pool returns a certificate pool holding only the CA.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

// Issue signs a certificate for name (its common name) as o describes and
// returns its PEM certificate and PKCS #8 key files, name.pem and
// name-key.pem in the CA's directory. Each name may be issued once per CA.
func (ca *CA) Issue(name string, o Options) (certFile, keyFile string) {
	ca.tb.Helper()
	now := time.Now()
	if o.NotBefore.IsZero() {
		o.NotBefore = now.Add(-time.Hour)
	}
	if o.NotAfter.IsZero() {
		o.NotAfter = now.Add(24 * time.Hour)
	}
	key := newKey(ca.tb)
	tmpl := &x509.Certificate{
		SerialNumber: serial(ca.tb),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    o.NotBefore,
		NotAfter:     o.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if o.Server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
		tmpl.DNSNames = []string{"localhost"}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.key)
	if err != nil {
		ca.tb.Fatalf("certtest: issue %q: %v", name, err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		ca.tb.Fatalf("certtest: marshal the key of %q: %v", name, err)
	}
	return ca.write(name+".pem", "CERTIFICATE", der), ca.write(name+"-key.pem", "PRIVATE KEY", kder)
}

// Server issues a server certificate for 127.0.0.1 and localhost, valid now.
func (ca *CA) Server(name string) (certFile, keyFile string) {
	ca.tb.Helper()
	return ca.Issue(name, Options{Server: true})
}

// Client issues a client certificate valid now.
func (ca *CA) Client(name string) (certFile, keyFile string) {
	ca.tb.Helper()
	return ca.Issue(name, Options{})
}

// write writes der as a PEM block of type typ to the file name in the CA's
// directory, refusing to overwrite one, and returns its path.
func (ca *CA) write(name, typ string, der []byte) string {
	ca.tb.Helper()
	p := filepath.Join(ca.dir, name)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		ca.tb.Fatalf("certtest: %v (is the name used twice?)", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: typ, Bytes: der}); err != nil {
		f.Close()
		ca.tb.Fatalf("certtest: write %s: %v", p, err)
	}
	if err := f.Close(); err != nil {
		ca.tb.Fatalf("certtest: write %s: %v", p, err)
	}
	return p
}

func newKey(tb testing.TB) *ecdsa.PrivateKey {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatalf("certtest: generate key: %v", err)
	}
	return key
}

// serial is a random 127-bit serial number.
func serial(tb testing.TB) *big.Int {
	tb.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		tb.Fatalf("certtest: serial number: %v", err)
	}
	return n
}
