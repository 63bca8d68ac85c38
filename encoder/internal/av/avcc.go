package av

import (
	"encoding/binary"
	"fmt"
)

// H.264 NAL unit types the stitcher looks at.
const (
	nalSPS = 7
	nalPPS = 8
	nalAUD = 9
)

// avcConfig is what the stitcher needs of an H.264 decoder configuration
// record (the avcC box of ISO/IEC 14496-15, libav's H.264 extradata in
// MP4): the size of the NAL unit length prefixes and the parameter sets.
type avcConfig struct {
	// lengthSize is the size in bytes of the big-endian length that
	// precedes every NAL unit of a sample: 1, 2 or 4.
	lengthSize int
	// sps and pps are the parameter set NAL units, without a prefix.
	sps, pps [][]byte
}

// parseAVCC parses an avcC record: configurationVersion (1), profile,
// profile compatibility, level, 6 reserved bits and lengthSizeMinusOne, 3
// reserved bits and the SPS count, each SPS as a 16-bit big-endian length
// and the NAL unit, then the PPS count and the PPS likewise. Bytes after
// the last PPS (the high-profile extension) are ignored. Errors wrap
// ErrInvalidData.
func parseAVCC(b []byte) (avcConfig, error) {
	var c avcConfig
	if len(b) < 7 {
		return c, fmt.Errorf("%w: avcC of %d bytes, want at least 7", ErrInvalidData, len(b))
	}
	if b[0] != 1 {
		return c, fmt.Errorf("%w: avcC version %d, want 1 (not an avcC record)", ErrInvalidData, b[0])
	}
	c.lengthSize = int(b[4]&3) + 1
	if c.lengthSize == 3 {
		return c, fmt.Errorf("%w: avcC NAL length size 3 (want 1, 2 or 4)", ErrInvalidData)
	}
	p := 5
	sets := func(count int, typ byte, name string) ([][]byte, error) {
		var out [][]byte
		for i := range count {
			if len(b)-p < 2 {
				return nil, fmt.Errorf("%w: avcC ends in the length of %s %d", ErrInvalidData, name, i)
			}
			n := int(binary.BigEndian.Uint16(b[p:]))
			p += 2
			switch {
			case n == 0:
				return nil, fmt.Errorf("%w: avcC %s %d is empty", ErrInvalidData, name, i)
			case n > len(b)-p:
				return nil, fmt.Errorf("%w: avcC %s %d of %d bytes, only %d left", ErrInvalidData, name, i, n, len(b)-p)
			case b[p]&0x1f != typ:
				return nil, fmt.Errorf("%w: avcC %s %d is a NAL unit of type %d, want %d", ErrInvalidData, name, i, b[p]&0x1f, typ)
			}
			out = append(out, b[p:p+n:p+n])
			p += n
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("%w: avcC has no %s", ErrInvalidData, name)
		}
		return out, nil
	}
	var err error
	nsps := int(b[p] & 0x1f)
	p++
	if c.sps, err = sets(nsps, nalSPS, "SPS"); err != nil {
		return c, err
	}
	if p >= len(b) {
		return c, fmt.Errorf("%w: avcC ends before its PPS count", ErrInvalidData)
	}
	npps := int(b[p])
	p++
	if c.pps, err = sets(npps, nalPPS, "PPS"); err != nil {
		return c, err
	}
	return c, nil
}

// inBand returns c's SPS and then PPS NAL units in the format of an MP4
// sample: each preceded by its length in c.lengthSize bytes, big-endian.
func (c avcConfig) inBand() ([]byte, error) {
	return lengthPrefixed(c.lengthSize, append(append([][]byte(nil), c.sps...), c.pps...))
}

// lengthPrefixed returns the NAL units nals, each preceded by its length
// in lengthSize (1, 2 or 4) bytes, big-endian, as in an MP4 sample.
func lengthPrefixed(lengthSize int, nals [][]byte) ([]byte, error) {
	var out []byte
	for _, nal := range nals {
		if lengthSize < 4 && len(nal) >= 1<<(8*lengthSize) {
			return nil, fmt.Errorf("%w: parameter set of %d bytes does not fit a %d-byte NAL length", ErrInvalidData, len(nal), lengthSize)
		}
		var l [4]byte
		binary.BigEndian.PutUint32(l[:], uint32(len(nal)))
		out = append(out, l[4-lengthSize:]...)
		out = append(out, nal...)
	}
	return out, nil
}

// paramSetOffset returns where parameter sets go in an access unit of
// length-prefixed NAL units: after an access unit delimiter, which must
// come first, else at the start.
func paramSetOffset(au []byte, lengthSize int) int {
	if len(au) <= lengthSize {
		return 0
	}
	n := nalLength(au[:lengthSize])
	if n == 0 || au[lengthSize]&0x1f != nalAUD || n > uint64(len(au)-lengthSize) {
		return 0
	}
	return lengthSize + int(n)
}

// nalLength reads the big-endian NAL unit length prefix b (1, 2 or 4
// bytes), as lengthPrefixed writes it.
func nalLength(b []byte) uint64 {
	var n uint64
	for _, x := range b {
		n = n<<8 | uint64(x)
	}
	return n
}
