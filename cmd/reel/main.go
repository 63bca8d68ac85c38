// Command reel encodes and quality-checks video titles. See `reel help`.
package main

import (
	"os"

	"github.com/reel-video/reel/internal/cli"
)

func main() { os.Exit(cli.Main()) }
