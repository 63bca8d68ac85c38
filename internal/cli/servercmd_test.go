package cli

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestServerFlagsToConfig(t *testing.T) {
	o := serverOptions{
		Addr:       "0.0.0.0:7233",
		StateDir:   "/tmp/x",
		Namespaces: []string{"prod", "qa"},
		Retention:  30 * 24 * time.Hour,
		TLSCert:    "c.pem", TLSKey: "k.pem", TLSClientCA: "ca.pem",
	}
	env := &Env{Getenv: func(k string) string {
		if k == "REEL_SERVER_DB" {
			return "postgres://u:pw@db:5432/t"
		}
		return ""
	}}
	cfg, err := o.config(env)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Host != "0.0.0.0" || cfg.Port != 7233 || !cfg.AllowRemote || cfg.StateDir != "/tmp/x" {
		t.Errorf("address/state: %+v", cfg)
	}
	if cfg.Namespace != "prod" || len(cfg.Namespaces) != 1 || cfg.Namespaces[0] != "qa" || cfg.Retention != 30*24*time.Hour {
		t.Errorf("namespaces/retention: %q %q %s", cfg.Namespace, cfg.Namespaces, cfg.Retention)
	}
	if cfg.DB != "postgres://u:pw@db:5432/t" {
		t.Errorf("DB from $REEL_SERVER_DB: %q", cfg.DB)
	}
	if cfg.TLS.CertFile != "c.pem" || cfg.TLS.KeyFile != "k.pem" || cfg.TLS.ClientCAFile != "ca.pem" {
		t.Errorf("TLS: %+v", cfg.TLS)
	}
	o.DB = "postgres://u:other@db2/t2"
	if cfg, _ := o.config(env); cfg.DB != o.DB {
		t.Errorf("--db does not override $REEL_SERVER_DB: %q", cfg.DB)
	}
}

// TestServerBadFlags: bad flags are usage errors naming the problem, and a
// database password never appears in a message.
func TestServerBadFlags(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--addr", "7233"}, "--addr"},
		{[]string{"--addr", "127.0.0.1:65534"}, "port must be"},
		{[]string{"--db", "mysql://root:hunter2@db/t"}, "only postgres://"},
		{[]string{"--history-shards", "8"}, "--history-shards needs --db"},
		{[]string{"--retention", "1h"}, "minimum is 24h"},
		{[]string{"--namespace", ""}, "empty name"},
	}
	for _, c := range cases {
		code, _, stderr := reel(context.Background(), append([]string{"server"}, c.args...)...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("reel server %q: exit %d, %q; want %d and %q", c.args, code, stderr, exitUsage, c.want)
		}
		if strings.Contains(stderr, "hunter2") {
			t.Errorf("reel server %q printed the password: %q", c.args, stderr)
		}
	}
}

// TestServerDatabaseUnreachable: a database that does not answer fails
// the start with an error that names it without its password.
func TestServerDatabaseUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code, _, stderr := reel(ctx, "server", "--addr", "127.0.0.1:0", "--state-dir", t.TempDir(),
		"--db", "postgres://reel:s3cr3t-pw@127.0.0.1:1/temporal?sslmode=disable&connect_timeout=2")
	if code != exitFailed {
		t.Errorf("exit %d, want %d: %s", code, exitFailed, stderr)
	}
	if !strings.Contains(stderr, "postgres://reel:xxxxx@127.0.0.1:1/temporal") {
		t.Errorf("error does not name the redacted database: %s", stderr)
	}
	if strings.Contains(stderr, "s3cr3t-pw") {
		t.Errorf("error shows the password: %s", stderr)
	}
}

// TestServerPortInUse: a taken frontend port is one clear line naming
// --addr.
func TestServerPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	if port > 65535-3 {
		t.Skip("port too high for a block of 4")
	}
	code, _, stderr := reel(context.Background(), "server", "--addr", "127.0.0.1:"+strconv.Itoa(port), "--state-dir", t.TempDir())
	if code != exitFailed || !strings.Contains(stderr, "port "+strconv.Itoa(port)+" (frontend) is in use: choose other ports with --addr") {
		t.Errorf("exit %d, %q", code, stderr)
	}
}
