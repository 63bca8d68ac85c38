package av

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// hvcC records for the parser tests, as hex: 22 bytes of fixed fields
// ending in lengthSizeMinusOne, numOfArrays, then per array a type byte
// (completeness<<7 | NAL unit type), a 16-bit count and the NAL units
// (16-bit length, unit).
const (
	// version 1, Main, compatibility, constraints, level 3.1, spatial
	// segmentation, parallelism, 4:2:0, 8 bits, frame rate; the last byte
	// (0x0f: 1 temporal layer, nested, lengthSizeMinusOne) is left out.
	hvccFixed = "01" + "01" + "60000000" + "900000000000" + "5d" + "f000" + "fc" + "fd" + "f8" + "f8" + "0000"
	hvccVPS   = "0004" + "40010c01"
	hvccSPS   = "0003" + "420101"
	hvccPPS   = "0003" + "4401c1"
	hvccSEI   = "0003" + "4e0105"
	// The in-band form of hvccVPS, hvccSPS and hvccPPS with 4-byte lengths.
	hvccInBand4 = "00000004" + "40010c01" + "00000003" + "420101" + "00000003" + "4401c1"
)

var hvccTests = []struct {
	name       string
	hex        string
	lengthSize int
	inBand     string // hex; "" with err
	err        string // in the error; "" when valid
}{
	{"valid", hvccFixed + "0f" + "03" + "a00001" + hvccVPS + "a10001" + hvccSPS + "a20001" + hvccPPS, 4, hvccInBand4, ""},
	{"not complete", hvccFixed + "0f" + "03" + "200001" + hvccVPS + "210001" + hvccSPS + "220001" + hvccPPS, 4, hvccInBand4, ""},
	{"arrays out of order", hvccFixed + "0f" + "03" + "220001" + hvccPPS + "200001" + hvccVPS + "210001" + hvccSPS, 4, hvccInBand4, ""},
	{"SEI array ignored", hvccFixed + "0f" + "04" + "200001" + hvccVPS + "210001" + hvccSPS + "220001" + hvccPPS + "270001" + hvccSEI, 4, hvccInBand4, ""},
	{"trailing bytes ignored", hvccFixed + "0f" + "03" + "200001" + hvccVPS + "210001" + hvccSPS + "220001" + hvccPPS + "ffff", 4, hvccInBand4, ""},
	{"2-byte lengths", hvccFixed + "0d" + "03" + "200001" + hvccVPS + "210001" + hvccSPS + "220001" + hvccPPS, 2,
		"0004" + "40010c01" + "0003" + "420101" + "0003" + "4401c1", ""},
	{"1-byte lengths", hvccFixed + "0c" + "03" + "200001" + hvccVPS + "210001" + hvccSPS + "220001" + hvccPPS, 1,
		"04" + "40010c01" + "03" + "420101" + "03" + "4401c1", ""},
	{"two SPS", hvccFixed + "0f" + "03" + "200001" + hvccVPS + "210002" + hvccSPS + "00024201" + "220001" + hvccPPS, 4,
		"00000004" + "40010c01" + "00000003" + "420101" + "00000002" + "4201" + "00000003" + "4401c1", ""},
	{"empty", "", 0, "", "0 bytes"},
	{"short", hvccFixed + "0f", 0, "", "22 bytes"},
	{"version 0", "00" + hvccFixed[2:] + "0f" + "03" + "200001" + hvccVPS + "210001" + hvccSPS + "220001" + hvccPPS, 0, "", "version 0"},
	{"annex B", "0000000140010c01" + "00000001420101" + "000000014401c1" + "0000000126010af0", 0, "", "version 0"},
	{"avcC", "01640016ffe1" + "00046764001f" + "01000368ee3c" + strings.Repeat("00", 12), 0, "", "hvcC has no VPS"},
	{"length size 3", hvccFixed + "0e" + "03" + "200001" + hvccVPS + "210001" + hvccSPS + "220001" + hvccPPS, 0, "", "length size 3"},
	{"no arrays", hvccFixed + "0f" + "00", 0, "", "no VPS"},
	{"no SPS", hvccFixed + "0f" + "02" + "200001" + hvccVPS + "220001" + hvccPPS, 0, "", "no SPS"},
	{"no PPS", hvccFixed + "0f" + "02" + "200001" + hvccVPS + "210001" + hvccSPS, 0, "", "no PPS"},
	{"empty array", hvccFixed + "0f" + "03" + "200000" + "210001" + hvccSPS + "220001" + hvccPPS, 0, "", "no VPS"},
	{"array header cut", hvccFixed + "0f" + "01" + "2000", 0, "", "header of array 0"},
	{"missing array", hvccFixed + "0f" + "04" + "200001" + hvccVPS + "210001" + hvccSPS + "220001" + hvccPPS, 0, "", "header of array 3"},
	{"length cut", hvccFixed + "0f" + "01" + "200001" + "00", 0, "", "length of NAL unit 0 of array 0"},
	{"unit cut", hvccFixed + "0f" + "01" + "200001" + "0008" + "40010c01", 0, "", "of 8 bytes, only 4 left"},
	{"unit empty", hvccFixed + "0f" + "01" + "200001" + "0000", 0, "", "of 0 bytes"},
	{"unit of 1 byte", hvccFixed + "0f" + "01" + "200001" + "000140", 0, "", "of 1 bytes"},
	{"second unit cut", hvccFixed + "0f" + "01" + "200002" + hvccVPS + "0004" + "4001", 0, "", "NAL unit 1 of array 0"},
	{"unit of another type", hvccFixed + "0f" + "03" + "200001" + hvccSPS + "210001" + hvccSPS + "220001" + hvccPPS, 0, "",
		"NAL unit 0 of array 0 is of type 33, want the array's 32"},
	{"SPS too long for 1-byte lengths", hvccFixed + "0c" + "03" + "200001" + hvccVPS + "210001" + "0100" + "4201" + strings.Repeat("00", 254) +
		"220001" + hvccPPS, 1, "", "does not fit a 1-byte NAL length"},
}

func TestParseHVCC(t *testing.T) {
	for _, tc := range hvccTests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := hex.DecodeString(tc.hex)
			if err != nil {
				t.Fatal(err)
			}
			c, err := parseHVCC(b)
			var ib []byte
			if err == nil {
				if c.lengthSize != tc.lengthSize {
					t.Errorf("length size %d, want %d", c.lengthSize, tc.lengthSize)
				}
				ib, err = c.inBand()
			}
			if tc.err != "" {
				if !errors.Is(err, ErrInvalidData) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want ErrInvalidData with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(ib); got != tc.inBand {
				t.Errorf("in band %s, want %s", got, tc.inBand)
			}
			// The record without completeness flags differs from it in
			// the flags only.
			inc := c.incomplete(b)
			want := strings.NewReplacer("a00001", "200001", "a10001", "210001", "a20001", "220001").Replace(tc.hex)
			if got := hex.EncodeToString(inc); got != want {
				t.Errorf("incomplete %s, want %s", got, want)
			}
			if !bytes.Equal(b, mustHex(t, tc.hex)) {
				t.Error("incomplete changed the record it was given")
			}
		})
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzParseHVCC: parseHVCC never panics, and what it accepts is
// consistent: at least one VPS, SPS and PPS of the right NAL types inside
// the record, written in band with one length prefix each, and a record
// without completeness flags of the same length.
func FuzzParseHVCC(f *testing.F) {
	for _, tc := range hvccTests {
		b, _ := hex.DecodeString(tc.hex)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := parseHVCC(b)
		if err != nil {
			if !errors.Is(err, ErrInvalidData) {
				t.Fatalf("error %v does not wrap ErrInvalidData", err)
			}
			return
		}
		if c.lengthSize != 1 && c.lengthSize != 2 && c.lengthSize != 4 {
			t.Fatalf("length size %d", c.lengthSize)
		}
		if len(c.vps) == 0 || len(c.sps) == 0 || len(c.pps) == 0 {
			t.Fatalf("accepted without parameter sets: %d VPS, %d SPS, %d PPS", len(c.vps), len(c.sps), len(c.pps))
		}
		want := 0
		for typ, sets := range map[int][][]byte{hevcVPS: c.vps, hevcSPS: c.sps, hevcPPS: c.pps} {
			for i, nal := range sets {
				if len(nal) < 2 || hevcNALType(nal[0]) != typ || !bytes.Contains(b, nal) {
					t.Fatalf("parameter set %d of type %d = %x", i, typ, nal)
				}
				want += c.lengthSize + len(nal)
			}
		}
		inc := c.incomplete(b)
		if len(inc) != len(b) {
			t.Fatalf("incomplete record of %d bytes, want %d", len(inc), len(b))
		}
		if _, err := parseHVCC(inc); err != nil {
			t.Fatalf("incomplete record rejected: %v", err)
		}
		ib, err := c.inBand()
		if err != nil {
			if c.lengthSize == 4 || !errors.Is(err, ErrInvalidData) {
				t.Fatalf("inBand: %v", err)
			}
			return
		}
		if len(ib) != want {
			t.Fatalf("in band %d bytes, want %d", len(ib), want)
		}
	})
}

func TestHEVCFirstPacket(t *testing.T) {
	const (
		aud     = "0003" + "460150"   // type 35
		idrWRAD = "0004" + "26010af0" // type 19
		idrNLP  = "0004" + "28010af0" // type 20
		blaWLP  = "0004" + "20010af0" // type 16
		cra     = "0004" + "2a010af0" // type 21
		trail   = "0004" + "02010af0" // type 1
		rsvIRAP = "0004" + "2e010af0" // type 23
		sei     = "0003" + "4e0105"   // type 39, prefix SEI
		sps     = "0003" + "420101"   // type 33
	)
	for _, tc := range []struct {
		name string
		hex  string
		size int
		want int
		err  string
	}{
		{"IDR", idrWRAD, 2, 0, ""},
		{"IDR_N_LP", idrNLP, 2, 0, ""},
		{"BLA", blaWLP, 2, 0, ""},
		{"AUD first", aud + idrWRAD, 2, 5, ""},
		{"AUD and SEI", aud + sei + idrWRAD, 2, 5, ""},
		{"SEI first", sei + idrWRAD, 2, 0, ""},
		{"SEI then AUD", sei + aud + idrWRAD, 2, 0, ""},
		{"parameter sets already in band", sps + idrWRAD, 2, 0, ""},
		{"4-byte lengths", "0000" + aud + "0000" + idrWRAD, 4, 7, ""},
		{"1-byte lengths", aud[2:] + idrWRAD[2:], 1, 4, ""},
		{"two slices", idrWRAD + trail, 2, 0, ""},
		{"CRA", aud + cra, 2, 0, "CRA"},
		{"trailing picture", trail, 2, 0, "type 1, not IDR or BLA"},
		{"reserved IRAP", rsvIRAP, 2, 0, "type 23"},
		{"no picture", aud + sei, 2, 0, "no picture"},
		{"empty", "", 2, 0, "no picture"},
		{"length cut", "00", 2, 0, "1 bytes left for a 2-byte length"},
		{"unit cut", "0009" + "26010af0", 2, 0, "has 9 bytes, 4 left"},
		{"empty unit", "0000" + idrWRAD, 2, 0, "has 0 bytes"},
		{"cut after the AUD", aud + "00", 2, 0, "NAL unit 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := hevcFirstPacket(mustHex(t, tc.hex), tc.size)
			if tc.err != "" {
				if !errors.Is(err, ErrInvalidData) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want ErrInvalidData with %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("offset %d, %v; want %d", got, err, tc.want)
			}
		})
	}
}

func TestVP9KeyFrame(t *testing.T) {
	for _, tc := range []struct {
		name string
		hex  string
		err  string
	}{
		// frame marker 10, profile 0, show_existing 0, key frame,
		// show_frame 1, error_resilient 0, sync code 49 83 42.
		{"profile 0 key frame", "82" + "498342" + "00", ""},
		// Profile 1 (low bit 1): 1010 0010, the sync code right after.
		{"profile 1 key frame", "a2" + "498342" + "00", ""},
		// Profile 3 has a reserved zero bit, which shifts the rest by one.
		{"profile 3 key frame", "b1" + "24c1a1" + "00", ""},
		{"profile 3 reserved bit", "b9" + "24c1a1" + "00", "reserved bit"},
		{"inter frame", "86" + "000000", "not a keyframe"},
		{"show existing frame", "88", "shows an earlier frame"},
		{"bad marker", "42" + "498342", "frame marker 1"},
		{"bad sync code", "82" + "498343", "sync code is 498343"},
		{"cut", "82" + "4983", "sync code is 498300"},
		{"empty", "", "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := vp9KeyFrame(mustHex(t, tc.hex))
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidData) || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error %v, want ErrInvalidData with %q", err, tc.err)
			}
		})
	}
}
