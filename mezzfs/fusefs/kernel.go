package fusefs

import (
	"strconv"
	"strings"
	"syscall"
)

// DirectIOKeepsMmap reports whether this kernel lets mmap work on a
// DirectIO mount (FUSE_DIRECT_IO_ALLOW_MMAP, Linux 6.6 and later). Below
// it, a DirectIO file cannot be mapped, so DirectIO is only a safe default
// where this is true.
func DirectIOKeepsMmap() bool {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		return false
	}
	var b strings.Builder
	for _, c := range u.Release {
		if c == 0 {
			break
		}
		b.WriteByte(byte(c))
	}
	return kernelAtLeast(b.String(), 6, 6)
}

// kernelAtLeast reports whether a kernel release string ("6.1.0-18-amd64")
// is at least major.minor; false when it cannot be read.
func kernelAtLeast(release string, major, minor int) bool {
	parts := strings.SplitN(release, ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(strings.TrimFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' }))
	if err1 != nil || err2 != nil {
		return false
	}
	return ma > major || (ma == major && mi >= minor)
}
