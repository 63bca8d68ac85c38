package frame

// YCbCrToRGB converts one 8-bit YCbCr sample to 8-bit RGB with the BT.709
// (hd) or BT.601 matrix, in full or limited (16–235/240) range. The QC
// thumbnails and the report's worst-moment pictures use it.
func YCbCrToRGB(y, cb, cr float64, full, hd bool) (r, g, b uint8) {
	kr, kb := 0.299, 0.114
	if hd {
		kr, kb = 0.2126, 0.0722
	}
	kg := 1 - kr - kb
	var yy, u, v float64
	if full {
		yy, u, v = y/255, (cb-128)/255, (cr-128)/255
	} else {
		yy, u, v = (y-16)/219, (cb-128)/224, (cr-128)/224
	}
	rf := yy + 2*(1-kr)*v
	bf := yy + 2*(1-kb)*u
	gf := (yy - kr*rf - kb*bf) / kg
	return clip8(rf * 255), clip8(gf * 255), clip8(bf * 255)
}

func clip8(v float64) uint8 {
	if v <= 0 {
		return 0
	}
	if v >= 255 {
		return 255
	}
	return uint8(v + 0.5)
}
