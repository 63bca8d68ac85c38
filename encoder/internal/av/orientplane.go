package av

import "unsafe"

// orientTile is the side of the square blocks a transposing orientPlane
// works through, so that the source rows a block reads stay in cache.
const orientTile = 32

// orientPlane writes the pw×ph plane src (line stride ss, in bytes) into
// dst (line stride ds) turned by o; bpp is 1 or 2 bytes per sample. Both
// strides of a 2-byte plane are even.
func orientPlane(dst []byte, ds int, src []byte, ss, pw, ph, bpp int, o orientation) {
	if bpp == 2 {
		orientSamples(asUint16(dst), ds/2, asUint16(src), ss/2, pw, ph, o)
		return
	}
	orientSamples(dst, ds, src, ss, pw, ph, o)
}

// asUint16 views b (from a libav plane buffer, 2-byte aligned) as samples.
func asUint16(b []byte) []uint16 {
	if len(b) < 2 {
		return nil
	}
	return unsafe.Slice((*uint16)(unsafe.Pointer(&b[0])), len(b)/2)
}

// orientSamples is orientPlane in samples; strides are in samples.
func orientSamples[T uint8 | uint16](d []T, ds int, s []T, ss, pw, ph int, o orientation) {
	ow, oh := o.uprightSize(pw, ph)
	if !o.transpose {
		for y := range oh {
			sy := y
			if o.flipY {
				sy = oh - 1 - y
			}
			srow, drow := s[sy*ss:sy*ss+pw], d[y*ds:y*ds+ow]
			if !o.flipX {
				copy(drow, srow)
				continue
			}
			for x, n := 0, pw-1; x < ow; x++ {
				drow[x] = srow[n-x]
			}
		}
		return
	}
	// Output row y is source column sx; output column x is source row x
	// (ow-1-x when flipX).
	for y0 := 0; y0 < oh; y0 += orientTile {
		y1 := min(y0+orientTile, oh)
		for x0 := 0; x0 < ow; x0 += orientTile {
			x1 := min(x0+orientTile, ow)
			for y := y0; y < y1; y++ {
				sx := y
				if o.flipY {
					sx = oh - 1 - y
				}
				drow := d[y*ds+x0 : y*ds+x1]
				if o.flipX {
					i := (ow-1-x0)*ss + sx
					for k := range drow {
						drow[k] = s[i]
						i -= ss
					}
				} else {
					i := x0*ss + sx
					for k := range drow {
						drow[k] = s[i]
						i += ss
					}
				}
			}
		}
	}
}
