// Package mezzfstest gives other packages' tests the real S3 server that
// mezzfs's own tests use (versitygw on a loopback port, installed with
// scripts/versitygw.sh when missing). It is an alias of internal/s3test,
// which new tests inside reel import directly.
package mezzfstest

import "github.com/reel-video/reel/internal/s3test"

// Server is a running versitygw.
type Server = s3test.Server

// Credentials the server accepts.
const (
	AccessKey = s3test.AccessKey
	SecretKey = s3test.SecretKey
)

var (
	// Start runs versitygw on a directory; call Server.Stop when done.
	Start = s3test.Start
	// Main starts a server in a temporary directory for TestMain and
	// returns it (nil and the reason when versitygw is unavailable) and a
	// cleanup function.
	Main = s3test.Main
	// Require skips a test when the server is nil, giving the reason.
	Require = s3test.Require
)
