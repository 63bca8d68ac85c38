package tserver

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"time"

	"go.temporal.io/server/common/config"
)

// TLS configures TLS on the server's frontend, the port clients and workers
// dial. The zero value leaves the frontend on plain gRPC (the embedded
// default).
//
// With CertFile and KeyFile the frontend serves TLS; with ClientCAFile as
// well it requires every client to present a certificate signed by one of
// that file's CAs (mutual TLS).
//
// The server's own connections (history, matching and worker services to
// each other and to the frontend, and Start's readiness probe) use mutual TLS
// too, with a private CA and certificate generated in memory at each Start
// and never written anywhere; they reach the frontend under the TLS server
// name InternalServerName, so operators' client CAs need not trust them.
type TLS struct {
	CertFile     string // PEM certificate (chain) the frontend presents
	KeyFile      string // PEM private key of CertFile
	ClientCAFile string // PEM CA certificate(s); when set, clients must present a certificate they signed (mTLS)
}

// InternalServerName is the TLS server name (SNI) under which the server's
// own components reach its frontend when TLS is on; the frontend presents
// the in-memory internal certificate for it and accepts only internal client
// certificates there.
const InternalServerName = "reel-internal.tserver"

// Enabled reports whether t turns TLS on.
func (t TLS) Enabled() bool { return t.CertFile != "" || t.KeyFile != "" || t.ClientCAFile != "" }

// validate checks that the files exist and parse, so that a bad file is a
// clear error from Start rather than a fatal log deep inside the server.
func (t TLS) validate() error {
	if !t.Enabled() {
		return nil
	}
	if t.CertFile == "" || t.KeyFile == "" {
		return errors.New("TLS needs both a certificate file and a key file")
	}
	if _, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile); err != nil {
		return fmt.Errorf("TLS certificate %s / key %s: %w", t.CertFile, t.KeyFile, err)
	}
	if t.ClientCAFile != "" {
		b, err := os.ReadFile(t.ClientCAFile)
		if err != nil {
			return fmt.Errorf("TLS client CA: %w", err)
		}
		if !x509.NewCertPool().AppendCertsFromPEM(b) {
			return fmt.Errorf("TLS client CA %s: no PEM certificate in it", t.ClientCAFile)
		}
	}
	return nil
}

// internalPKI is the in-memory CA and the one certificate (both server and
// client use) of the server's own connections.
type internalPKI struct {
	caPEM   []byte
	certPEM []byte
	keyPEM  []byte
	// client is a client TLS config for in-process clients of the frontend:
	// it presents the internal certificate and trusts only the internal CA.
	client *tls.Config
}

// newInternalPKI generates the internal CA and certificate. They live as
// long as the process's server: both are regenerated at every Start.
func newInternalPKI() (*internalPKI, error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("internal CA key: %w", err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          randSerial(),
		Subject:               pkix.Name{CommonName: "reel tserver internal CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(100 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("internal CA: %w", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, fmt.Errorf("internal CA: %w", err)
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("internal key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: randSerial(),
		Subject:      pkix.Name{CommonName: InternalServerName},
		DNSNames:     []string{InternalServerName},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(100 * 365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("internal certificate: %w", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("internal key: %w", err)
	}
	p := &internalPKI{
		caPEM:   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM:  pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
	}
	pair, err := tls.X509KeyPair(p.certPEM, p.keyPEM)
	if err != nil {
		return nil, fmt.Errorf("internal certificate: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	p.client = &tls.Config{
		MinVersion:   tls.VersionTLS12,
		ServerName:   InternalServerName,
		RootCAs:      pool,
		Certificates: []tls.Certificate{pair},
	}
	return p, nil
}

func randSerial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		// crypto/rand does not fail on supported platforms.
		panic(err)
	}
	return n
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// rootTLS is the server's TLS configuration for t: the frontend serves t's
// certificate (and requires client certificates signed by t's CA when set),
// except under InternalServerName where it serves the internal certificate
// and requires internal client certificates; the internal services talk to
// each other with mutual TLS on the internal PKI; the system worker reaches
// the frontend with the internal certificate.
func rootTLS(t TLS, p *internalPKI) config.RootTLS {
	internalServer := config.ServerTLS{
		CertData:          b64(p.certPEM),
		KeyData:           b64(p.keyPEM),
		ClientCAData:      []string{b64(p.caPEM)},
		RequireClientAuth: true,
	}
	internalClient := config.ClientTLS{
		ServerName: InternalServerName,
		RootCAData: []string{b64(p.caPEM)},
	}
	frontend := config.ServerTLS{
		CertFile: t.CertFile,
		KeyFile:  t.KeyFile,
	}
	if t.ClientCAFile != "" {
		frontend.ClientCAFiles = []string{t.ClientCAFile}
		frontend.RequireClientAuth = true
	}
	return config.RootTLS{
		Internode: config.GroupTLS{
			Server: internalServer,
			Client: internalClient,
		},
		Frontend: config.GroupTLS{
			Server:           frontend,
			PerHostOverrides: map[string]config.ServerTLS{InternalServerName: internalServer},
		},
		SystemWorker: config.WorkerTLS{
			CertData: b64(p.certPEM),
			KeyData:  b64(p.keyPEM),
			Client:   internalClient,
		},
	}
}
