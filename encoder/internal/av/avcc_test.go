package av

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/asticode/go-astiav"
)

// avcC records for the parser tests, as hex: header (version 1, profile,
// compatibility, level, 0xFC|lengthSizeMinusOne), 0xE0|SPS count, SPS
// (16-bit length, NAL unit), PPS count, PPS.
const (
	avccHeader = "01640016" // version 1, High, compat 0, level 2.2
	avccSPS    = "0004" + "6764001f"
	avccPPS    = "0003" + "68ee3c"
	avccExt    = "fdf8f800" // high-profile extension: ignored
)

var avccTests = []struct {
	name       string
	hex        string
	lengthSize int
	inBand     string // hex; "" with err
	err        string // in the error; "" when valid
}{
	{"valid", avccHeader + "ff" + "e1" + avccSPS + "01" + avccPPS + avccExt, 4,
		"00000004" + "6764001f" + "00000003" + "68ee3c", ""},
	{"no extension", avccHeader + "ff" + "e1" + avccSPS + "01" + avccPPS, 4,
		"00000004" + "6764001f" + "00000003" + "68ee3c", ""},
	{"2-byte lengths", avccHeader + "fd" + "e1" + avccSPS + "01" + avccPPS, 2,
		"0004" + "6764001f" + "0003" + "68ee3c", ""},
	{"1-byte lengths", avccHeader + "fc" + "e1" + avccSPS + "01" + avccPPS, 1,
		"04" + "6764001f" + "03" + "68ee3c", ""},
	{"two of each", avccHeader + "ff" + "e2" + avccSPS + "0002" + "6742" + "02" + avccPPS + "0002" + "68ce", 4,
		"00000004" + "6764001f" + "00000002" + "6742" + "00000003" + "68ee3c" + "00000002" + "68ce", ""},
	{"reserved bits zero", avccHeader + "03" + "01" + avccSPS + "01" + avccPPS, 4,
		"00000004" + "6764001f" + "00000003" + "68ee3c", ""},
	{"empty", "", 0, "", "0 bytes"},
	{"short", "01640016ffe1", 0, "", "6 bytes"},
	{"version 0", "00640016ffe1" + avccSPS + "01" + avccPPS, 0, "", "version 0"},
	{"annex B", "00000001" + "6764001f" + "0000000168ee3c", 0, "", "version 0"},
	{"length size 3", avccHeader + "fe" + "e1" + avccSPS + "01" + avccPPS, 0, "", "length size 3"},
	{"no SPS", avccHeader + "ff" + "e0" + "01" + avccPPS, 0, "", "no SPS"},
	{"SPS length cut", avccHeader + "ff" + "e1" + "00", 0, "", "length of SPS 0"},
	{"SPS cut", avccHeader + "ff" + "e1" + "0008" + "6764001f", 0, "", "SPS 0 of 8 bytes, only 4 left"},
	{"SPS empty", avccHeader + "ff" + "e1" + "0000" + "01" + avccPPS, 0, "", "SPS 0 is empty"},
	{"SPS not an SPS", avccHeader + "ff" + "e1" + "0003" + "68ee3c" + "01" + avccPPS, 0, "", "type 8, want 7"},
	{"second SPS cut", avccHeader + "ff" + "e2" + avccSPS + "0002" + "67", 0, "", "SPS 1"},
	{"no PPS count", avccHeader + "ff" + "e1" + avccSPS, 0, "", "before its PPS count"},
	{"no PPS", avccHeader + "ff" + "e1" + avccSPS + "00", 0, "", "no PPS"},
	{"PPS cut", avccHeader + "ff" + "e1" + avccSPS + "01" + "0003" + "68ee", 0, "", "PPS 0 of 3 bytes, only 2 left"},
	{"PPS not a PPS", avccHeader + "ff" + "e1" + avccSPS + "01" + "0002" + "6588", 0, "", "type 5, want 8"},
	{"SPS too long for 1-byte lengths", avccHeader + "fc" + "e1" + "0100" + "67" + strings.Repeat("00", 255) + "01" + avccPPS, 1,
		"", "does not fit a 1-byte NAL length"},
}

func TestParseAVCC(t *testing.T) {
	for _, tc := range avccTests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := hex.DecodeString(tc.hex)
			if err != nil {
				t.Fatal(err)
			}
			c, err := parseAVCC(b)
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
		})
	}
}

// FuzzParseAVCC: parseAVCC never panics, and what it accepts is
// consistent: parameter sets of the right NAL types inside the record,
// written in band with one length prefix each.
func FuzzParseAVCC(f *testing.F) {
	for _, tc := range avccTests {
		b, _ := hex.DecodeString(tc.hex)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := parseAVCC(b)
		if err != nil {
			if !errors.Is(err, ErrInvalidData) {
				t.Fatalf("error %v does not wrap ErrInvalidData", err)
			}
			return
		}
		if c.lengthSize != 1 && c.lengthSize != 2 && c.lengthSize != 4 {
			t.Fatalf("length size %d", c.lengthSize)
		}
		if len(c.sps) == 0 || len(c.pps) == 0 {
			t.Fatalf("accepted without parameter sets: %d SPS, %d PPS", len(c.sps), len(c.pps))
		}
		want := 0
		for i, nal := range append(append([][]byte(nil), c.sps...), c.pps...) {
			typ := byte(nalSPS)
			if i >= len(c.sps) {
				typ = nalPPS
			}
			if len(nal) == 0 || nal[0]&0x1f != typ || !bytes.Contains(b, nal) {
				t.Fatalf("parameter set %d = %x", i, nal)
			}
			want += c.lengthSize + len(nal)
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

func TestParamSetOffset(t *testing.T) {
	for _, tc := range []struct {
		name string
		hex  string
		size int
		want int
	}{
		{"IDR first", "00000003" + "658888", 4, 0},
		{"AUD first", "00000002" + "09f0" + "00000003" + "658888", 4, 6},
		{"AUD, 2-byte lengths", "0002" + "09f0" + "0003" + "658888", 2, 4},
		{"AUD longer than the packet", "00000009" + "09f0", 4, 0},
		{"empty NAL", "00000000" + "09", 4, 0},
		{"too short", "000000", 4, 0},
		{"empty", "", 4, 0},
	} {
		b, _ := hex.DecodeString(tc.hex)
		if got := paramSetOffset(b, tc.size); got != tc.want {
			t.Errorf("%s: offset %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestInsertIntoPacket: the payload gets the bytes inserted, in a new
// buffer (a packet sharing the old one keeps it), and the packet keeps its
// timestamps, flags and side data.
func TestInsertIntoPacket(t *testing.T) {
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	if err := pkt.FromData([]byte("abcdef")); err != nil {
		t.Fatal(err)
	}
	pkt.SetPts(42)
	pkt.SetDts(40)
	pkt.SetDuration(2)
	pkt.SetFlags(astiav.NewPacketFlags(astiav.PacketFlagKey))
	pkt.SetStreamIndex(3)
	if err := pkt.AddSideData(astiav.PacketSideDataTypeNewExtradata, []byte("side")); err != nil {
		t.Fatal(err)
	}
	shared := astiav.AllocPacket()
	defer shared.Free()
	if err := shared.Ref(pkt); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		at   int
		ins  string
		want string
	}{
		{2, "XYZ", "abXYZcdef"},
		{0, "<", "<abXYZcdef"},
		{10, ">", "<abXYZcdef>"},
		{4, "", "<abXYZcdef>"},
	} {
		if err := insertIntoPacket(pkt, step.at, []byte(step.ins)); err != nil {
			t.Fatal(err)
		}
		if got := string(pkt.Data()); got != step.want || pkt.Size() != len(step.want) {
			t.Fatalf("insert %q at %d: payload %q (size %d), want %q", step.ins, step.at, got, pkt.Size(), step.want)
		}
	}
	if err := insertIntoPacket(pkt, 100, []byte("x")); err == nil {
		t.Error("insert past the end accepted")
	}
	if pkt.Pts() != 42 || pkt.Dts() != 40 || pkt.Duration() != 2 || !pkt.Flags().Has(astiav.PacketFlagKey) ||
		pkt.StreamIndex() != 3 || string(pkt.SideData(astiav.PacketSideDataTypeNewExtradata)) != "side" {
		t.Errorf("packet fields changed: pts %d dts %d duration %d flags %v stream %d side data %q",
			pkt.Pts(), pkt.Dts(), pkt.Duration(), pkt.Flags(), pkt.StreamIndex(), pkt.SideData(astiav.PacketSideDataTypeNewExtradata))
	}
	if got := string(shared.Data()); got != "abcdef" {
		t.Errorf("a packet sharing the old buffer now holds %q", got)
	}
}
