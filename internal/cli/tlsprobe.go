package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"
)

// probeTimeout bounds the TLS probe: the TCP connect, the handshake and the
// wait for the server's first HTTP/2 frame.
const probeTimeout = 10 * time.Second

// http2Preface is a client's HTTP/2 connection preface and an empty
// SETTINGS frame: a gRPC server answers it with its own SETTINGS, or, when
// it rejects the client certificate under TLS 1.3, with an alert.
var http2Preface = []byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")

// probeTLS opens one TLS connection to the frontend with the client's TLS
// configuration, so that a TLS problem is one clear error at once instead
// of the SDK's retries ending in a long gRPC message: a server certificate
// not signed by the CA, for another name, or expired; a server that does not
// speak TLS; or a server that refuses the client certificate. It returns nil
// when the server answers, and also when it cannot be reached at all or does
// not answer in time (the SDK's dial then reports that).
func probeTLS(ctx context.Context, s *connSettings, conf *tls.Config) error {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	conf = conf.Clone()
	conf.NextProtos = []string{"h2"}
	if conf.ServerName == "" {
		// As gRPC: the :authority's host, else the address's.
		target := s.Address
		if s.Authority != "" {
			target = s.Authority
		}
		host, _, err := net.SplitHostPort(target)
		if err != nil {
			host = target // an authority without a port
		}
		conf.ServerName = host
	}
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", s.Address)
	if err != nil {
		return nil // not TLS's problem: the SDK reports it
	}
	tc := tls.Client(raw, conf)
	defer tc.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = tc.SetDeadline(dl)
	}
	if err := tc.HandshakeContext(ctx); err != nil {
		if closed(err) {
			return fmt.Errorf("TLS: %s closed the connection during the TLS handshake: does it serve TLS? (a plain gRPC server needs no --tls-*, no API key, or TEMPORAL_TLS=false)", s.Address)
		}
		return s.tlsError(err)
	}
	if _, err := tc.Write(http2Preface); err != nil {
		return s.tlsError(err)
	}
	var b [1]byte
	if _, err := tc.Read(b[:]); err != nil {
		if closed(err) {
			return fmt.Errorf("TLS: %s closed the connection after the TLS handshake (did it refuse the client certificate%s?)", s.Address, s.certSuffix())
		}
		return s.tlsError(err)
	}
	return nil
}

// closed reports a connection closed by the peer without a TLS alert.
func closed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
}

func (s *connSettings) certSuffix() string {
	if s.TLS.hasCert() {
		return " " + s.certName()
	}
	return ", or require one"
}

// tlsError maps a TLS failure to one line naming the cause and the flag
// that fixes it; nil for errors that are not TLS's (refused, timeouts).
func (s *connSettings) tlsError(err error) error {
	at := s.Address
	ca := "the system's CAs"
	if f := s.from["ca"]; f != "" {
		ca = f
		if s.TLS.CAPath != "" {
			ca += " " + s.TLS.CAPath
		}
	}
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	var rec tls.RecordHeaderError
	switch {
	case errors.As(err, &unknown):
		return fmt.Errorf("TLS: the server certificate of %s is not signed by %s (%s)", at, ca, oneLine(unknown.Error()))
	case errors.As(err, &host):
		return fmt.Errorf("TLS: the server certificate of %s is not for that name (%s); set --tls-server-name to a name it holds", at, oneLine(host.Error()))
	case errors.As(err, &invalid):
		return fmt.Errorf("TLS: the server certificate of %s is not valid: %s", at, oneLine(invalid.Error()))
	case errors.As(err, &rec):
		return fmt.Errorf("TLS: %s does not answer TLS (a plain gRPC server?); connect without --tls-* and API key, or set TEMPORAL_TLS=false", at)
	}
	msg := err.Error()
	if i := strings.Index(msg, "remote error: tls: "); i >= 0 {
		alert := msg[i+len("remote error: tls: "):]
		if s.TLS.hasCert() {
			if alert == "certificate required" {
				// Go sends no certificate whose CA the server did not
				// list as acceptable.
				return fmt.Errorf("TLS: the server at %s refused the client certificate %s: it is not signed by a CA the server accepts (certificate required)", at, s.certName())
			}
			return fmt.Errorf("TLS: the server at %s refused the client certificate %s: %s", at, s.certName(), alert)
		}
		return fmt.Errorf("TLS: the server at %s refused the connection: %s (it may require a client certificate: --tls-cert and --tls-key)", at, alert)
	}
	if strings.Contains(msg, "tls: ") {
		return fmt.Errorf("TLS handshake with %s: %s", at, oneLine(msg))
	}
	return nil
}

func (s *connSettings) certName() string {
	if s.TLS.CertPath != "" {
		return s.from["cert"] + " " + s.TLS.CertPath
	}
	return s.from["cert"]
}
