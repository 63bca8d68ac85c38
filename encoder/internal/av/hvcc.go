package av

import (
	"encoding/binary"
	"fmt"
)

// HEVC NAL unit types the stitcher looks at (the type is bits 1-6 of a
// NAL unit's first byte).
const (
	hevcBLAWLP = 16 // first IRAP type: BLA_W_LP
	hevcIDRNLP = 20 // last IDR type: IDR_N_LP
	hevcCRA    = 21
	hevcVPS    = 32 // also the first non-VCL type
	hevcSPS    = 33
	hevcPPS    = 34
	hevcAUD    = 35
)

// hevcNALType is the type of an HEVC NAL unit starting with byte b.
func hevcNALType(b byte) int { return int(b>>1) & 0x3f }

// hvcConfig is what the stitcher needs of an HEVC decoder configuration
// record (the hvcC box of ISO/IEC 14496-15, libav's HEVC extradata in
// MP4): the size of the NAL unit length prefixes and the parameter sets.
type hvcConfig struct {
	// lengthSize is the size in bytes of the big-endian length that
	// precedes every NAL unit of a sample: 1, 2 or 4.
	lengthSize int
	// vps, sps and pps are the parameter set NAL units, without a prefix.
	vps, sps, pps [][]byte
	// arrays holds the offset in the record of every array's first byte
	// (array_completeness, reserved bit, NAL unit type).
	arrays []int
}

// parseHVCC parses an hvcC record: 22 bytes of fixed fields starting with
// configurationVersion (1) and ending with a byte whose low 2 bits are
// lengthSizeMinusOne, then numOfArrays and per array a byte with
// array_completeness, a reserved bit and the NAL unit type, a 16-bit
// big-endian NAL unit count and per NAL unit a 16-bit big-endian length
// and the unit. Every unit must be of its array's type. Arrays of types
// other than VPS, SPS and PPS (SEI) are checked and otherwise ignored, as
// are bytes after the last array. Errors wrap ErrInvalidData.
func parseHVCC(b []byte) (hvcConfig, error) {
	var c hvcConfig
	if len(b) < 23 {
		return c, fmt.Errorf("%w: hvcC of %d bytes, want at least 23", ErrInvalidData, len(b))
	}
	if b[0] != 1 {
		return c, fmt.Errorf("%w: hvcC version %d, want 1 (not an hvcC record)", ErrInvalidData, b[0])
	}
	c.lengthSize = int(b[21]&3) + 1
	if c.lengthSize == 3 {
		return c, fmt.Errorf("%w: hvcC NAL length size 3 (want 1, 2 or 4)", ErrInvalidData)
	}
	arrays := int(b[22])
	p := 23
	for a := range arrays {
		if len(b)-p < 3 {
			return c, fmt.Errorf("%w: hvcC ends in the header of array %d", ErrInvalidData, a)
		}
		c.arrays = append(c.arrays, p)
		typ := int(b[p] & 0x3f)
		count := int(binary.BigEndian.Uint16(b[p+1:]))
		p += 3
		for i := range count {
			if len(b)-p < 2 {
				return c, fmt.Errorf("%w: hvcC ends in the length of NAL unit %d of array %d (type %d)", ErrInvalidData, i, a, typ)
			}
			n := int(binary.BigEndian.Uint16(b[p:]))
			p += 2
			switch {
			case n < 2: // the NAL unit header alone has 2 bytes
				return c, fmt.Errorf("%w: hvcC NAL unit %d of array %d (type %d) of %d bytes", ErrInvalidData, i, a, typ, n)
			case n > len(b)-p:
				return c, fmt.Errorf("%w: hvcC NAL unit %d of array %d (type %d) of %d bytes, only %d left", ErrInvalidData, i, a, typ, n, len(b)-p)
			case hevcNALType(b[p]) != typ:
				return c, fmt.Errorf("%w: hvcC NAL unit %d of array %d is of type %d, want the array's %d", ErrInvalidData, i, a, hevcNALType(b[p]), typ)
			}
			nal := b[p : p+n : p+n]
			switch typ {
			case hevcVPS:
				c.vps = append(c.vps, nal)
			case hevcSPS:
				c.sps = append(c.sps, nal)
			case hevcPPS:
				c.pps = append(c.pps, nal)
			}
			p += n
		}
	}
	for _, s := range []struct {
		sets [][]byte
		name string
	}{{c.vps, "VPS"}, {c.sps, "SPS"}, {c.pps, "PPS"}} {
		if len(s.sets) == 0 {
			return c, fmt.Errorf("%w: hvcC has no %s", ErrInvalidData, s.name)
		}
	}
	return c, nil
}

// inBand returns c's VPS, then SPS, then PPS NAL units in the format of an
// MP4 sample: each preceded by its length in c.lengthSize bytes,
// big-endian.
func (c hvcConfig) inBand() ([]byte, error) {
	var nals [][]byte
	nals = append(nals, c.vps...)
	nals = append(nals, c.sps...)
	nals = append(nals, c.pps...)
	return lengthPrefixed(c.lengthSize, nals)
}

// incomplete returns a copy of the record b (parsed into c) with every
// array's array_completeness flag cleared: the record no longer claims
// that no NAL units of its arrays' types are in the samples, which is
// false once parameter sets are put in band.
func (c hvcConfig) incomplete(b []byte) []byte {
	out := append([]byte(nil), b...)
	for _, p := range c.arrays {
		out[p] &^= 0x80
	}
	return out
}

// hevcFirstPacket checks that au, an access unit of NAL units each
// preceded by its length in lengthSize bytes, can start a coded video
// sequence after another chunk's: its first picture is IDR or BLA. It
// returns where parameter sets go: after an access unit delimiter if au
// starts with one, else at the start. A CRA picture is refused: its RASL
// pictures may reference pictures of the previous chunk, and a new SPS
// may only take effect at a CRA that starts the bitstream. Errors wrap
// ErrInvalidData.
func hevcFirstPacket(au []byte, lengthSize int) (int, error) {
	at := 0
	for i, p := 0, 0; p < len(au); i++ {
		if len(au)-p < lengthSize {
			return 0, fmt.Errorf("%w: NAL unit %d of the first packet: %d bytes left for a %d-byte length", ErrInvalidData, i, len(au)-p, lengthSize)
		}
		n := nalLength(au[p : p+lengthSize])
		p += lengthSize
		if n < 2 || n > uint64(len(au)-p) {
			return 0, fmt.Errorf("%w: NAL unit %d of the first packet has %d bytes, %d left", ErrInvalidData, i, n, len(au)-p)
		}
		typ := hevcNALType(au[p])
		p += int(n)
		switch {
		case typ == hevcAUD && i == 0:
			at = p
		case typ >= hevcBLAWLP && typ <= hevcIDRNLP:
			return at, nil
		case typ == hevcCRA:
			return 0, fmt.Errorf("%w: the first picture is CRA, not IDR or BLA (encode with closed GOPs)", ErrInvalidData)
		case typ < hevcVPS: // another VCL NAL unit
			return 0, fmt.Errorf("%w: the first picture has NAL unit type %d, not IDR or BLA (not a keyframe)", ErrInvalidData, typ)
		}
	}
	return 0, fmt.Errorf("%w: the first packet has no picture", ErrInvalidData)
}
