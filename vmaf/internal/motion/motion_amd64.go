//go:build amd64 && !purego

package motion

import "golang.org/x/sys/cpu"

var hasAVX2 = cpu.X86.HasAVX2

// yPass8AVX2 is sad8's vertical pass for n columns (n a multiple of 8).
//
//go:noescape
func yPass8AVX2(p0, p1, p2, p3, p4, c0, c1, c2, c3, c4 *uint8, yrow *int32, n int) (any int32)

// xPassAVX2 is xpass's interior loop: n outputs (n a multiple of 8) whose
// 5-sample windows start at y; it returns the 32-bit sum of |v|.
//
//go:noescape
func xPassAVX2(y *int32, n int) uint32
