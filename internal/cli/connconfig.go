package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/envconfig"
)

// connSettings is where and how reel reaches Temporal, resolved from the
// flags, the environment (TEMPORAL_*, as the Temporal CLI and SDKs read it,
// and REEL_TEMPORAL) and a temporal.toml profile, in that order of
// precedence. Its zero value means the embedded server.
type connSettings struct {
	// Address is the frontend host:port; empty: the embedded server.
	Address string
	// Namespace; never empty after resolve ("default").
	Namespace string
	// APIKey is a secret: it goes into the client's credentials only and
	// is never printed, logged or put in an error.
	APIKey string
	// TLS is nil for plain gRPC.
	TLS *tlsSettings
	// tlsDisabled: TLS explicitly off (TEMPORAL_TLS=false or the profile's
	// tls.disabled), which also keeps an API key from turning it on.
	tlsDisabled bool
	// Authority overrides the :authority header (TEMPORAL_CLIENT_AUTHORITY).
	Authority string
	// GRPCMeta are extra gRPC headers (TEMPORAL_GRPC_META_*, the profile's
	// grpc_meta). Values may be secrets: never printed.
	GRPCMeta map[string]string
	// from names where a setting came from, for messages: "--temporal",
	// "TEMPORAL_ADDRESS", `profile "prod" in /x/temporal.toml`. Keys:
	// address, namespace, api-key, tls, cert, key, ca, server-name.
	from map[string]string
}

// tlsSettings is the client side of TLS. Each of the certificate, key and
// CA comes from a file (…Path) or inline PEM (…Data, from
// TEMPORAL_TLS_*_DATA or the profile), not both.
type tlsSettings struct {
	CertPath, KeyPath, CAPath string
	CertData, KeyData, CAData []byte
	// ServerName is the name the server certificate must carry (and SNI);
	// empty: the address's host.
	ServerName string
	// SkipVerify does not verify the server certificate
	// (TEMPORAL_TLS_DISABLE_HOST_VERIFICATION); for tests only.
	SkipVerify bool
}

// envLookup lets envconfig read the command's environment (Env) instead of
// the process's. An empty variable counts as unset, as for REEL_*.
type envLookup struct{ env *Env }

func (e envLookup) LookupEnv(k string) (string, bool) {
	v := e.env.Getenv(k)
	return v, v != ""
}

func (e envLookup) Environ() []string {
	if e.env.Environ == nil {
		return nil
	}
	return e.env.Environ()
}

// resolve merges the flags, the environment and the temporal.toml profile.
// It reads no certificate yet (tlsConfig does).
func (o *connOptions) resolve(env *Env) (connSettings, error) {
	look := envLookup{env}
	file, _ := look.LookupEnv("TEMPORAL_CONFIG_FILE")
	if file == "" {
		file = envconfig.DefaultConfigFilePath()
	}
	profile := o.ProfileName
	profileFrom := "--profile-name"
	if profile == "" {
		if p, ok := look.LookupEnv("TEMPORAL_PROFILE"); ok {
			profile, profileFrom = p, "TEMPORAL_PROFILE"
		}
	}
	if profile != "" {
		// envconfig fails on a named profile that is missing; say which
		// file it looked in, and that the file itself may be missing.
		conf, err := envconfig.LoadClientConfig(envconfig.LoadClientConfigOptions{ConfigFilePath: file, EnvLookup: look})
		if err != nil {
			return connSettings{}, configFileError(file, err)
		}
		if conf.Profiles[profile] == nil {
			if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
				return connSettings{}, fmt.Errorf("%s %q: no config file %s (set TEMPORAL_CONFIG_FILE)", profileFrom, profile, file)
			}
			return connSettings{}, fmt.Errorf("%s %q: no such profile in %s (profiles: %s)", profileFrom, profile, file, profileNames(conf))
		}
	}
	prof, err := envconfig.LoadClientConfigProfile(envconfig.LoadClientConfigProfileOptions{
		ConfigFilePath:    file,
		ConfigFileProfile: profile,
		EnvLookup:         look,
	})
	if err != nil {
		return connSettings{}, configFileError(file, err)
	}
	if profile == "" {
		profile = envconfig.DefaultConfigFileProfile
	}
	fromProfile := fmt.Sprintf("profile %q in %s", profile, file)

	s := connSettings{
		Address: prof.Address, Namespace: prof.Namespace, APIKey: prof.APIKey,
		Authority: prof.Authority, GRPCMeta: prof.GRPCMeta,
		from: map[string]string{},
	}
	// origin is where an envconfig value came from: its variable when
	// set, else the profile.
	origin := func(key, envName, value string) {
		if value == "" {
			return
		}
		if _, ok := look.LookupEnv(envName); ok {
			s.from[key] = envName
		} else {
			s.from[key] = fromProfile
		}
	}
	origin("address", "TEMPORAL_ADDRESS", s.Address)
	origin("namespace", "TEMPORAL_NAMESPACE", s.Namespace)
	origin("api-key", "TEMPORAL_API_KEY", s.APIKey)
	if t := prof.TLS; t != nil {
		s.tlsDisabled = t.Disabled
		s.TLS = &tlsSettings{
			CertPath: t.ClientCertPath, CertData: t.ClientCertData,
			KeyPath: t.ClientKeyPath, KeyData: t.ClientKeyData,
			CAPath: t.ServerCACertPath, CAData: t.ServerCACertData,
			ServerName: t.ServerName, SkipVerify: t.DisableHostVerification,
		}
		origin("tls", "TEMPORAL_TLS", "on")
		origin("cert", "TEMPORAL_TLS_CLIENT_CERT_PATH", t.ClientCertPath)
		origin("cert", "TEMPORAL_TLS_CLIENT_CERT_DATA", string(t.ClientCertData))
		origin("key", "TEMPORAL_TLS_CLIENT_KEY_PATH", t.ClientKeyPath)
		origin("key", "TEMPORAL_TLS_CLIENT_KEY_DATA", string(t.ClientKeyData))
		origin("ca", "TEMPORAL_TLS_SERVER_CA_CERT_PATH", t.ServerCACertPath)
		origin("ca", "TEMPORAL_TLS_SERVER_CA_CERT_DATA", string(t.ServerCACertData))
		origin("server-name", "TEMPORAL_TLS_SERVER_NAME", t.ServerName)
	}
	// REEL_TEMPORAL, reel's own name for the address, wins over
	// TEMPORAL_ADDRESS.
	if a, ok := look.LookupEnv("REEL_TEMPORAL"); ok {
		s.Address, s.from["address"] = a, "REEL_TEMPORAL"
	}

	// The flags win over everything.
	flag := func(key, name, value string, dst *string) {
		if value != "" {
			*dst, s.from[key] = value, name
		}
	}
	flag("address", "--temporal", o.Temporal, &s.Address)
	flag("namespace", "--namespace", o.Namespace, &s.Namespace)
	flag("api-key", "--api-key", o.APIKey, &s.APIKey)
	if o.TLSCert != "" || o.TLSKey != "" || o.TLSCA != "" || o.TLSServerName != "" {
		if s.TLS == nil {
			s.TLS = &tlsSettings{}
		}
		// A flag turns TLS on even where the environment or profile
		// turned it off, and replaces inline PEM of the same kind.
		s.tlsDisabled = false
		if o.TLSCert != "" {
			s.TLS.CertPath, s.TLS.CertData, s.from["cert"] = o.TLSCert, nil, "--tls-cert"
		}
		if o.TLSKey != "" {
			s.TLS.KeyPath, s.TLS.KeyData, s.from["key"] = o.TLSKey, nil, "--tls-key"
		}
		if o.TLSCA != "" {
			s.TLS.CAPath, s.TLS.CAData, s.from["ca"] = o.TLSCA, nil, "--tls-ca"
		}
		flag("server-name", "--tls-server-name", o.TLSServerName, &s.TLS.ServerName)
	}
	if s.tlsDisabled {
		s.TLS = nil
	} else if s.TLS == nil && s.APIKey != "" {
		// An API key turns TLS on (system CAs), as in the SDK and CLI.
		s.TLS = &tlsSettings{}
	}
	if s.Namespace == "" {
		s.Namespace = "default"
	}
	if s.Address == "" && (s.APIKey != "" || s.TLS != nil) {
		what := s.from["api-key"]
		if what == "" {
			what = firstFrom(s.from, "cert", "key", "ca", "server-name", "tls")
		}
		return connSettings{}, fmt.Errorf("%s is set but no Temporal address is (--temporal, TEMPORAL_ADDRESS or a temporal.toml profile's address); without one reel starts its embedded server, which takes no TLS or API key", what)
	}
	return s, nil
}

// configFileError reports a temporal.toml that cannot be read or parsed.
// The TOML parser quotes the text it stumbled on, which may be an API key:
// quoted text after the position ("toml: line 3 (last key …): ") is
// elided, and the error is not wrapped so that no caller prints the
// original.
func configFileError(file string, err error) error {
	msg := err.Error()
	at := strings.Index(msg, "): ")
	if at < 0 {
		at = 0
	}
	return fmt.Errorf("temporal.toml %s: %s%s", file, msg[:at], quotedText.ReplaceAllString(msg[at:], `"…"`))
}

var quotedText = regexp.MustCompile(`"[^"]*"|'[^']*'`)

func profileNames(c envconfig.ClientConfig) string {
	if len(c.Profiles) == 0 {
		return "none"
	}
	var names []string
	for n := range c.Profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func firstFrom(from map[string]string, keys ...string) string {
	for _, k := range keys {
		if f := from[k]; f != "" {
			return f
		}
	}
	return "TLS"
}

// describe renders the settings for an error message: address, namespace,
// and whether TLS, a client certificate and an API key are in use, with
// their sources, never the secrets.
func (s *connSettings) describe() string {
	d := fmt.Sprintf("%s (namespace %s", s.Address, s.Namespace)
	if s.TLS != nil {
		d += ", TLS"
		if s.TLS.hasCert() {
			d += " with a client certificate"
		}
	}
	if s.APIKey != "" {
		d += ", API key from " + s.from["api-key"]
	}
	return d + ")"
}

func (t *tlsSettings) hasCert() bool {
	return t.CertPath != "" || len(t.CertData) > 0 || t.KeyPath != "" || len(t.KeyData) > 0
}

// clientOptions turns the settings into the SDK's options for a remote
// cluster: credentials, TLS (checked now, see tlsConfig) and headers.
func (s *connSettings) clientOptions(now time.Time) (client.Options, error) {
	opts := client.Options{HostPort: s.Address, Namespace: s.Namespace}
	if s.APIKey != "" {
		opts.Credentials = client.NewAPIKeyStaticCredentials(s.APIKey)
	}
	if s.TLS != nil {
		conf, err := s.tlsConfig(now)
		if err != nil {
			return client.Options{}, err
		}
		opts.ConnectionOptions.TLS = conf
	} else if s.tlsDisabled {
		// Keeps the SDK from turning TLS on for the API key.
		opts.ConnectionOptions.TLSDisabled = true
	}
	opts.ConnectionOptions.Authority = s.Authority
	if len(s.GRPCMeta) > 0 {
		opts.HeadersProvider = staticHeaders(s.GRPCMeta)
	}
	return opts, nil
}

type staticHeaders map[string]string

func (h staticHeaders) GetHeaders(context.Context) (map[string]string, error) { return h, nil }

// pemSource is one of the certificate, key and CA: a file or inline PEM.
type pemSource struct {
	what string // "client certificate", …
	path string
	data []byte
	from string // "--tls-cert", "TEMPORAL_TLS_CLIENT_CERT_DATA", …
}

func (p pemSource) set() bool { return p.path != "" || len(p.data) > 0 }

// name says where p is for messages: "--tls-cert /x/client.pem".
func (p pemSource) name() string {
	if p.path != "" {
		return p.from + " " + p.path
	}
	return p.from
}

func (p pemSource) read() ([]byte, error) {
	if p.path == "" {
		return p.data, nil
	}
	b, err := os.ReadFile(p.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("TLS: %s (%s): no such file", p.what, p.name())
	case errors.Is(err, fs.ErrPermission):
		return nil, fmt.Errorf("TLS: %s (%s): permission denied", p.what, p.name())
	case err != nil:
		return nil, fmt.Errorf("TLS: %s (%s): %w", p.what, p.name(), err)
	}
	return b, nil
}

// tlsConfig reads and checks the certificate, key and CA now, so that a
// missing or mismatched file, or an expired certificate, is one clear error
// naming the flag (or variable) and file, before any dialing. Errors never
// quote a key.
func (s *connSettings) tlsConfig(now time.Time) (*tls.Config, error) {
	t := s.TLS
	from := func(key, def string) string {
		if f := s.from[key]; f != "" {
			return f
		}
		return def
	}
	cert := pemSource{what: "client certificate", path: t.CertPath, data: t.CertData, from: from("cert", "--tls-cert")}
	key := pemSource{what: "client key", path: t.KeyPath, data: t.KeyData, from: from("key", "--tls-key")}
	ca := pemSource{what: "server CA", path: t.CAPath, data: t.CAData, from: from("ca", "--tls-ca")}
	for _, p := range []pemSource{cert, key, ca} {
		if p.path != "" && len(p.data) > 0 {
			return nil, fmt.Errorf("TLS: the %s is given both as a file and as PEM data (%s); give one", p.what, p.from)
		}
	}
	conf := &tls.Config{ServerName: t.ServerName, InsecureSkipVerify: t.SkipVerify, MinVersion: tls.VersionTLS12}
	switch {
	case cert.set() && !key.set():
		return nil, fmt.Errorf("TLS: %s has no key: give its private key with --tls-key (or TEMPORAL_TLS_CLIENT_KEY_PATH)", cert.name())
	case key.set() && !cert.set():
		return nil, fmt.Errorf("TLS: %s has no certificate: give the client certificate with --tls-cert (or TEMPORAL_TLS_CLIENT_CERT_PATH)", key.name())
	case cert.set():
		pair, err := loadClientCert(cert, key, now)
		if err != nil {
			return nil, err
		}
		conf.Certificates = []tls.Certificate{pair}
	}
	if ca.set() {
		b, err := ca.read()
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("TLS: %s (%s) holds no PEM certificate", ca.what, ca.name())
		}
		conf.RootCAs = pool
	}
	return conf, nil
}

// loadClientCert reads the client certificate and key, and checks that they
// belong together and that the certificate is valid at now.
func loadClientCert(cert, key pemSource, now time.Time) (tls.Certificate, error) {
	certPEM, err := cert.read()
	if err != nil {
		return tls.Certificate{}, err
	}
	keyPEM, err := key.read()
	if err != nil {
		return tls.Certificate{}, err
	}
	var leaf *x509.Certificate
	for rest := certPEM; leaf == nil; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		if leaf, err = x509.ParseCertificate(b.Bytes); err != nil {
			return tls.Certificate{}, fmt.Errorf("TLS: %s (%s): %w", cert.what, cert.name(), err)
		}
	}
	if leaf == nil {
		return tls.Certificate{}, fmt.Errorf("TLS: %s (%s) holds no PEM certificate", cert.what, cert.name())
	}
	if now.After(leaf.NotAfter) {
		return tls.Certificate{}, fmt.Errorf("TLS: %s (%s) expired on %s", cert.what, cert.name(), leaf.NotAfter.UTC().Format(time.RFC3339))
	}
	if now.Before(leaf.NotBefore) {
		return tls.Certificate{}, fmt.Errorf("TLS: %s (%s) is not valid before %s", cert.what, cert.name(), leaf.NotBefore.UTC().Format(time.RFC3339))
	}
	if !hasPrivateKey(keyPEM) {
		return tls.Certificate{}, fmt.Errorf("TLS: %s (%s) holds no PEM private key", key.what, key.name())
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		// crypto/tls's errors name no key material; say which files.
		if strings.Contains(err.Error(), "does not match") {
			return tls.Certificate{}, fmt.Errorf("TLS: %s does not belong to %s (the key does not match the certificate)", key.name(), cert.name())
		}
		return tls.Certificate{}, fmt.Errorf("TLS: %s / %s: %s", cert.name(), key.name(), strings.TrimPrefix(err.Error(), "tls: "))
	}
	return pair, nil
}

// hasPrivateKey reports a PEM private key block in b (after, say, the EC
// PARAMETERS block openssl writes first).
func hasPrivateKey(b []byte) bool {
	for {
		var blk *pem.Block
		if blk, b = pem.Decode(b); blk == nil {
			return false
		}
		if strings.HasSuffix(blk.Type, "PRIVATE KEY") {
			return true
		}
	}
}
