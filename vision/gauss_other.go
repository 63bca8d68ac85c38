//go:build !amd64 || purego

package vision

// gaussRow blurs one row (see gaussRowGo).
func gaussRow(r *[5][]uint8, c *[3][]uint16, dst []uint8) { gaussRowGo(r, c, dst) }
