// Command reel-vmaf is reel's VMAF as a small pure-Go tool: y4m and raw
// yuv in, libvmaf's scores and JSON out (see internal/vmafcli).
package main

import (
	"os"

	"github.com/reel-video/reel/internal/vmafcli"
)

func main() { os.Exit(vmafcli.Main()) }
