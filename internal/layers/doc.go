// Package layers holds the test that keeps reel's packages in their
// layers: README.md's architecture table lists every package from the top
// of the stack to the bottom and what each must not import, and the test
// checks `go list -deps -json ./...` against it. It has no code of its own.
package layers
