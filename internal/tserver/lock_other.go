//go:build !unix

package tserver

// On platforms without flock the state directory is not protected against
// concurrent use; the port check still catches the common case of a second
// reel on the same machine.
type stateLock struct{}

func lockStateDir(string) (*stateLock, error) { return &stateLock{}, nil }

func (*stateLock) unlock() error { return nil }
