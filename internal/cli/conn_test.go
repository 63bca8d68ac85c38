package cli

import (
	"context"
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reel-video/reel/internal/certtest"
)

// mapEnv is an Env reading only vars.
func mapEnv(vars map[string]string) *Env {
	return &Env{
		Stdout: os.Stdout, Stderr: os.Stderr,
		Getenv: func(k string) string { return vars[k] },
		Environ: func() []string {
			var l []string
			for k, v := range vars {
				l = append(l, k+"="+v)
			}
			return l
		},
	}
}

const testProfiles = `
[profile.default]
address = "profile-default:7233"
namespace = "profile-ns"

[profile.prod]
address = "prod.tmprl.cloud:7233"
namespace = "prod.acct"
api_key = "profile-secret-key"

[profile.mtls]
address = "mtls.example:7233"
[profile.mtls.tls]
client_cert_path = "/certs/client.pem"
client_key_path = "/certs/client.key"
server_ca_cert_path = "/certs/ca.pem"
server_name = "frontend.example"

[profile.plain]
address = "plain.example:7233"
api_key = "plain-secret-key"
[profile.plain.tls]
disabled = true
`

// TestEnvConfigPrecedence: flags > environment (REEL_TEMPORAL over
// TEMPORAL_ADDRESS) > the temporal.toml profile > defaults; an API key
// turns TLS on unless TLS is disabled; no address: the embedded server.
func TestEnvConfigPrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "temporal.toml")
	if err := os.WriteFile(file, []byte(testProfiles), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "none.toml")
	type want struct {
		addr, addrFrom, ns string
		tls                bool
		apiKey, cert, ca   string
		serverName         string
		meta               map[string]string
	}
	for _, tc := range []struct {
		name  string
		env   map[string]string
		flags connOptions
		want  want
	}{
		{"nothing: embedded", map[string]string{"TEMPORAL_CONFIG_FILE": missing}, connOptions{},
			want{ns: "default"}},
		{"REEL_TEMPORAL", map[string]string{"TEMPORAL_CONFIG_FILE": missing, "REEL_TEMPORAL": "a:1"}, connOptions{},
			want{addr: "a:1", addrFrom: "REEL_TEMPORAL", ns: "default"}},
		{"TEMPORAL_ADDRESS and namespace", map[string]string{"TEMPORAL_CONFIG_FILE": missing, "TEMPORAL_ADDRESS": "b:2", "TEMPORAL_NAMESPACE": "ens"}, connOptions{},
			want{addr: "b:2", addrFrom: "TEMPORAL_ADDRESS", ns: "ens"}},
		{"REEL_TEMPORAL over TEMPORAL_ADDRESS", map[string]string{"TEMPORAL_CONFIG_FILE": missing, "TEMPORAL_ADDRESS": "b:2", "REEL_TEMPORAL": "a:1"}, connOptions{},
			want{addr: "a:1", addrFrom: "REEL_TEMPORAL", ns: "default"}},
		{"default profile", map[string]string{"TEMPORAL_CONFIG_FILE": file}, connOptions{},
			want{addr: "profile-default:7233", addrFrom: `profile "default" in ` + file, ns: "profile-ns"}},
		{"env over profile", map[string]string{"TEMPORAL_CONFIG_FILE": file, "TEMPORAL_NAMESPACE": "ens"}, connOptions{},
			want{addr: "profile-default:7233", addrFrom: `profile "default" in ` + file, ns: "ens"}},
		{"flags over env and profile", map[string]string{"TEMPORAL_CONFIG_FILE": file, "TEMPORAL_ADDRESS": "b:2", "REEL_TEMPORAL": "a:1", "TEMPORAL_NAMESPACE": "ens"},
			connOptions{Temporal: "f:3", Namespace: "fns"},
			want{addr: "f:3", addrFrom: "--temporal", ns: "fns"}},
		{"TEMPORAL_PROFILE, API key turns TLS on", map[string]string{"TEMPORAL_CONFIG_FILE": file, "TEMPORAL_PROFILE": "prod"}, connOptions{},
			want{addr: "prod.tmprl.cloud:7233", addrFrom: `profile "prod" in ` + file, ns: "prod.acct", tls: true, apiKey: "profile-secret-key"}},
		{"--profile-name over TEMPORAL_PROFILE", map[string]string{"TEMPORAL_CONFIG_FILE": file, "TEMPORAL_PROFILE": "nosuch"}, connOptions{ProfileName: "prod"},
			want{addr: "prod.tmprl.cloud:7233", addrFrom: `profile "prod" in ` + file, ns: "prod.acct", tls: true, apiKey: "profile-secret-key"}},
		{"--api-key over the profile's", map[string]string{"TEMPORAL_CONFIG_FILE": file, "TEMPORAL_API_KEY": "env-key"}, connOptions{ProfileName: "prod", APIKey: "flag-key"},
			want{addr: "prod.tmprl.cloud:7233", addrFrom: `profile "prod" in ` + file, ns: "prod.acct", tls: true, apiKey: "flag-key"}},
		{"profile TLS", map[string]string{"TEMPORAL_CONFIG_FILE": file}, connOptions{ProfileName: "mtls"},
			want{addr: "mtls.example:7233", addrFrom: `profile "mtls" in ` + file, ns: "default", tls: true, cert: "/certs/client.pem", ca: "/certs/ca.pem", serverName: "frontend.example"}},
		{"TLS flags over the profile's", map[string]string{"TEMPORAL_CONFIG_FILE": file, "TEMPORAL_TLS_SERVER_CA_CERT_PATH": "/env/ca.pem"}, connOptions{ProfileName: "mtls", TLSCert: "/flag/c.pem"},
			want{addr: "mtls.example:7233", addrFrom: `profile "mtls" in ` + file, ns: "default", tls: true, cert: "/flag/c.pem", ca: "/env/ca.pem", serverName: "frontend.example"}},
		{"profile tls.disabled keeps the API key plain", map[string]string{"TEMPORAL_CONFIG_FILE": file}, connOptions{ProfileName: "plain"},
			want{addr: "plain.example:7233", addrFrom: `profile "plain" in ` + file, ns: "default", apiKey: "plain-secret-key"}},
		{"TEMPORAL_TLS=false, then --tls-ca turns it on", map[string]string{"TEMPORAL_CONFIG_FILE": missing, "TEMPORAL_ADDRESS": "b:2", "TEMPORAL_TLS": "false"}, connOptions{TLSCA: "/flag/ca.pem"},
			want{addr: "b:2", addrFrom: "TEMPORAL_ADDRESS", ns: "default", tls: true, ca: "/flag/ca.pem"}},
		{"TEMPORAL_TLS=true", map[string]string{"TEMPORAL_CONFIG_FILE": missing, "TEMPORAL_ADDRESS": "b:2", "TEMPORAL_TLS": "true"}, connOptions{},
			want{addr: "b:2", addrFrom: "TEMPORAL_ADDRESS", ns: "default", tls: true}},
		{"gRPC metadata", map[string]string{"TEMPORAL_CONFIG_FILE": missing, "TEMPORAL_ADDRESS": "b:2", "TEMPORAL_GRPC_META_X_TENANT": "blue"}, connOptions{},
			want{addr: "b:2", addrFrom: "TEMPORAL_ADDRESS", ns: "default", meta: map[string]string{"x-tenant": "blue"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.flags.resolve(mapEnv(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			w := tc.want
			if s.Address != w.addr || s.from["address"] != w.addrFrom || s.Namespace != w.ns {
				t.Errorf("address %q (from %q), namespace %q; want %q (from %q), %q", s.Address, s.from["address"], s.Namespace, w.addr, w.addrFrom, w.ns)
			}
			if (s.TLS != nil) != w.tls {
				t.Errorf("TLS %v, want %v", s.TLS != nil, w.tls)
			}
			if s.APIKey != w.apiKey {
				t.Errorf("API key %q, want %q", s.APIKey, w.apiKey)
			}
			if s.TLS != nil && (s.TLS.CertPath != w.cert || s.TLS.CAPath != w.ca || s.TLS.ServerName != w.serverName) {
				t.Errorf("TLS cert %q, CA %q, server name %q; want %q, %q, %q", s.TLS.CertPath, s.TLS.CAPath, s.TLS.ServerName, w.cert, w.ca, w.serverName)
			}
			for k, v := range w.meta {
				if s.GRPCMeta[k] != v {
					t.Errorf("gRPC meta %q = %q, want %q (all: %v)", k, s.GRPCMeta[k], v, s.GRPCMeta)
				}
			}
		})
	}
}

// TestEnvConfigErrors: a missing profile or file, and TLS or an API key
// without an address, are clear errors; none quotes the key.
func TestEnvConfigErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "temporal.toml")
	if err := os.WriteFile(file, []byte(testProfiles), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "none.toml")
	for _, tc := range []struct {
		name  string
		env   map[string]string
		flags connOptions
		want  []string
	}{
		{"no such profile", map[string]string{"TEMPORAL_CONFIG_FILE": file}, connOptions{ProfileName: "staging"},
			[]string{`--profile-name "staging": no such profile in ` + file, "default, mtls, plain, prod"}},
		{"TEMPORAL_PROFILE, no file", map[string]string{"TEMPORAL_CONFIG_FILE": missing, "TEMPORAL_PROFILE": "prod"}, connOptions{},
			[]string{`TEMPORAL_PROFILE "prod": no config file ` + missing}},
		{"API key, no address", map[string]string{"TEMPORAL_CONFIG_FILE": missing, "TEMPORAL_API_KEY": "s3cr3t-env-key"}, connOptions{},
			[]string{"TEMPORAL_API_KEY is set but no Temporal address is"}},
		{"--tls-cert, no address", map[string]string{"TEMPORAL_CONFIG_FILE": missing}, connOptions{TLSCert: "/c.pem", TLSKey: "/k.pem"},
			[]string{"--tls-cert is set but no Temporal address is"}},
		{"bad toml", map[string]string{"TEMPORAL_CONFIG_FILE": writeTemp(t, "bad.toml", "[profile.default\naddress=")}, connOptions{},
			[]string{"temporal.toml", "bad.toml"}},
		{"bad toml quoting the key", map[string]string{"TEMPORAL_CONFIG_FILE": writeTemp(t, "bad.toml", "[profile.prod]\napi_key = s3cr3t-unquoted\n")}, connOptions{ProfileName: "prod"},
			[]string{"bad.toml: failed parsing config: toml: line 2", `found "…"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.flags.resolve(mapEnv(tc.env))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), "secret-key") {
				t.Errorf("error %q quotes the API key", err)
			}
		})
	}
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestTLSConfigChecks: the certificate, key and CA are read and checked
// before any dial, and each mistake is one line naming the flag and file.
func TestTLSConfigChecks(t *testing.T) {
	ca := certtest.NewCA(t, "test")
	cert, key := ca.Client("client")
	_, otherKey := ca.Client("other")
	expired, expiredKey := ca.Issue("expired", certtest.Options{NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)})
	future, futureKey := ca.Issue("future", certtest.Options{NotBefore: time.Now().Add(24 * time.Hour), NotAfter: time.Now().Add(48 * time.Hour)})
	garbage := writeTemp(t, "garbage.pem", "not a certificate\n")
	nofile := filepath.Join(t.TempDir(), "nofile.pem")
	env := map[string]string{"TEMPORAL_CONFIG_FILE": nofile, "TEMPORAL_ADDRESS": "127.0.0.1:7233"}

	for _, tc := range []struct {
		name  string
		flags connOptions
		want  string // "": no error
	}{
		{"ok: mTLS and CA", connOptions{TLSCert: cert, TLSKey: key, TLSCA: ca.File}, ""},
		{"ok: CA only", connOptions{TLSCA: ca.File}, ""},
		{"cert without key", connOptions{TLSCert: cert}, "TLS: --tls-cert " + cert + " has no key: give its private key with --tls-key"},
		{"key without cert", connOptions{TLSKey: key}, "TLS: --tls-key " + key + " has no certificate"},
		{"missing key file", connOptions{TLSCert: cert, TLSKey: nofile}, "TLS: client key (--tls-key " + nofile + "): no such file"},
		{"missing CA file", connOptions{TLSCA: nofile}, "TLS: server CA (--tls-ca " + nofile + "): no such file"},
		{"key of another certificate", connOptions{TLSCert: cert, TLSKey: otherKey}, "TLS: --tls-key " + otherKey + " does not belong to --tls-cert " + cert},
		{"expired", connOptions{TLSCert: expired, TLSKey: expiredKey}, "TLS: client certificate (--tls-cert " + expired + ") expired on "},
		{"not yet valid", connOptions{TLSCert: future, TLSKey: futureKey}, "TLS: client certificate (--tls-cert " + future + ") is not valid before "},
		{"CA not PEM", connOptions{TLSCA: garbage}, "TLS: server CA (--tls-ca " + garbage + ") holds no PEM certificate"},
		{"cert not PEM", connOptions{TLSCert: garbage, TLSKey: key}, "TLS: client certificate (--tls-cert " + garbage + ") holds no PEM certificate"},
		{"key not PEM", connOptions{TLSCert: cert, TLSKey: garbage}, "TLS: client key (--tls-key " + garbage + ") holds no PEM private key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.flags.resolve(mapEnv(env))
			if err != nil {
				t.Fatal(err)
			}
			opts, err := s.clientOptions(time.Now())
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				conf, certs := opts.ConnectionOptions.TLS, 0
				if tc.flags.TLSCert != "" {
					certs = 1
				}
				if conf == nil || conf.RootCAs == nil || len(conf.Certificates) != certs {
					t.Fatalf("TLS config %+v", conf)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q\nwant one line with %q", err, tc.want)
			}
		})
	}

	// Inline PEM from the environment: the message names the variable.
	certPEM, _ := os.ReadFile(cert)
	s, err := (&connOptions{}).resolve(mapEnv(map[string]string{"TEMPORAL_CONFIG_FILE": nofile, "TEMPORAL_ADDRESS": "h:1",
		"TEMPORAL_TLS_CLIENT_CERT_DATA": string(certPEM)}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.clientOptions(time.Now()); err == nil || !strings.Contains(err.Error(), "TLS: TEMPORAL_TLS_CLIENT_CERT_DATA has no key") {
		t.Errorf("cert data without key: %v", err)
	}
}

// tlsTestServer accepts TLS connections with conf and, after a handshake,
// writes one byte (as a gRPC server answers the HTTP/2 preface with its
// SETTINGS).
func tlsTestServer(t *testing.T, conf *tls.Config) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", conf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				if err := c.(*tls.Conn).Handshake(); err != nil {
					return
				}
				buf := make([]byte, len(http2Preface))
				if _, err := c.Read(buf); err != nil {
					return
				}
				_, _ = c.Write([]byte{0})
			}()
		}
	}()
	return ln.Addr().String()
}

// TestTLSProbe: against a TLS server on loopback, the probe accepts a good
// mTLS setup and names the problem in one line otherwise.
func TestTLSProbe(t *testing.T) {
	ca, other := certtest.NewCA(t, "server-ca"), certtest.NewCA(t, "other-ca")
	srvCert, srvKey := ca.Server("server")
	pair, err := tls.LoadX509KeyPair(srvCert, srvKey)
	if err != nil {
		t.Fatal(err)
	}
	mtls := tlsTestServer(t, &tls.Config{Certificates: []tls.Certificate{pair}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: ca.Pool()})
	cert, key := ca.Client("client")
	strangerCert, strangerKey := other.Client("stranger")
	oldCert, oldKey := ca.Issue("old-server", certtest.Options{Server: true, NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-time.Hour)})
	oldPair, err := tls.LoadX509KeyPair(oldCert, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	expiredServer := tlsTestServer(t, &tls.Config{Certificates: []tls.Certificate{oldPair}})

	plain, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { plain.Close() })
	go func() { // a plain gRPC server closes on a bad preface
		for {
			c, err := plain.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 24)
			_, _ = c.Read(buf)
			c.Close()
		}
	}()
	closedPort := func() string { // a port nobody listens on
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().String()
	}()

	for _, tc := range []struct {
		name  string
		addr  string
		flags connOptions
		want  string // "": no error
	}{
		{"mTLS", mtls, connOptions{TLSCert: cert, TLSKey: key, TLSCA: ca.File}, ""},
		{"mTLS by name", mtls, connOptions{TLSCert: cert, TLSKey: key, TLSCA: ca.File, TLSServerName: "localhost"}, ""},
		{"wrong CA", mtls, connOptions{TLSCert: cert, TLSKey: key, TLSCA: other.File}, "TLS: the server certificate of " + mtls + " is not signed by --tls-ca " + other.File},
		{"wrong server name", mtls, connOptions{TLSCert: cert, TLSKey: key, TLSCA: ca.File, TLSServerName: "frontend.example"}, "is not for that name"},
		{"no client certificate", mtls, connOptions{TLSCA: ca.File}, "TLS: the server at " + mtls + " refused the connection"},
		{"client certificate of another CA", mtls, connOptions{TLSCert: strangerCert, TLSKey: strangerKey, TLSCA: ca.File}, "TLS: the server at " + mtls + " refused the client certificate --tls-cert " + strangerCert + ": it is not signed by a CA the server accepts"},
		{"expired server certificate", expiredServer, connOptions{TLSCA: ca.File}, "TLS: the server certificate of " + expiredServer + " is not valid: x509: certificate has expired"},
		{"plain server", plain.Addr().String(), connOptions{TLSCA: ca.File}, "closed the connection during the TLS handshake: does it serve TLS?"},
		{"nobody listening: left to the SDK", closedPort, connOptions{TLSCA: ca.File}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.flags.Temporal = tc.addr
			s, err := tc.flags.resolve(mapEnv(map[string]string{"TEMPORAL_CONFIG_FILE": filepath.Join(t.TempDir(), "no.toml")}))
			if err != nil {
				t.Fatal(err)
			}
			opts, err := s.clientOptions(time.Now())
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			err = probeTLS(context.Background(), &s, opts.ConnectionOptions.TLS)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("probe took %v", d)
			}
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v\nwant one line with %q", err, tc.want)
			}
		})
	}
}
