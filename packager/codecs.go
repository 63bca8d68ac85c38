package packager

import (
	"fmt"
	"math/bits"
	"strings"

	"github.com/Eyevinn/mp4ff/mp4"
)

// codecString is the RFC 6381 codecs parameter of a sample entry, read
// from its configuration record:
//
//	avc1/avc3  avc1.PPCCLL (ISO/IEC 14496-15 §5: avcC profile, compatibility, level)
//	hvc1/hev1  hvc1.[A-C]P.F.(L|H)LL.CC… (ISO/IEC 14496-15 Annex E: hvcC)
//	vp09       vp09.PP.LL.DD[.CC.cp.tc.mc.FF] (VP9 in ISOBMFF: vpcC; the short
//	           form when the colour fields hold their defaults)
//	av01       av01.P.LLT.DD (AV1 in ISOBMFF: av1C)
//	mp4a       mp4a.40.AOT (esds: object type 0x40, the AudioSpecificConfig's AOT)
//	Opus       opus (Opus in ISOBMFF)
func codecString(entry mp4.Box) (string, error) {
	switch e := entry.(type) {
	case *mp4.VisualSampleEntryBox:
		switch typ := e.Type(); typ {
		case "avc1", "avc3":
			if e.AvcC == nil {
				return "", fmt.Errorf("no avcC")
			}
			c := e.AvcC.DecConfRec
			return fmt.Sprintf("%s.%02X%02X%02X", typ, c.AVCProfileIndication, c.ProfileCompatibility, c.AVCLevelIndication), nil
		case "hvc1", "hev1":
			if e.HvcC == nil {
				return "", fmt.Errorf("no hvcC")
			}
			return hevcString(typ, e.HvcC), nil
		case "vp09":
			if e.VppC == nil {
				return "", fmt.Errorf("no vpcC")
			}
			return vp9String(e.VppC), nil
		case "av01":
			if e.Av1C == nil {
				return "", fmt.Errorf("no av1C")
			}
			c := e.Av1C.CodecConfRec
			depth := 8
			switch {
			case c.SeqProfile == 2 && c.HighBitdepth == 1 && c.TwelveBit == 1:
				depth = 12
			case c.HighBitdepth == 1:
				depth = 10
			}
			tier := "M"
			if c.SeqTier0 == 1 {
				tier = "H"
			}
			return fmt.Sprintf("av01.%d.%02d%s.%02d", c.SeqProfile, c.SeqLevelIdx0, tier, depth), nil
		default:
			return "", fmt.Errorf("video sample entry not supported")
		}
	case *mp4.AudioSampleEntryBox:
		switch e.Type() {
		case "mp4a":
			if e.Esds == nil || e.Esds.DecConfigDescriptor == nil {
				return "", fmt.Errorf("no esds")
			}
			dc := e.Esds.DecConfigDescriptor
			if dc.ObjectType != 0x40 {
				return "", fmt.Errorf("object type 0x%02x is not MPEG-4 audio", dc.ObjectType)
			}
			if dc.DecSpecificInfo == nil || len(dc.DecSpecificInfo.DecConfig) < 2 {
				return "", fmt.Errorf("no AudioSpecificConfig")
			}
			asc := dc.DecSpecificInfo.DecConfig
			aot := int(asc[0] >> 3)
			if aot == 31 {
				aot = 32 + int(asc[0]&7)<<3 | int(asc[1]>>5)
			}
			return fmt.Sprintf("mp4a.40.%d", aot), nil
		case "Opus":
			if e.Dops == nil {
				return "", fmt.Errorf("no dOps")
			}
			return "opus", nil
		default:
			return "", fmt.Errorf("audio sample entry not supported")
		}
	}
	return "", fmt.Errorf("not a sample entry")
}

// hevcString follows ISO/IEC 14496-15 Annex E.3: profile space letter and
// profile_idc, the 32 compatibility flags in reverse bit order as hex,
// tier and level, then the constraint bytes with trailing zero bytes left
// out.
func hevcString(typ string, b *mp4.HvcCBox) string {
	c := b.DecConfRec
	var s strings.Builder
	s.WriteString(typ)
	s.WriteByte('.')
	if c.GeneralProfileSpace > 0 && c.GeneralProfileSpace <= 3 {
		s.WriteByte("ABC"[c.GeneralProfileSpace-1])
	}
	fmt.Fprintf(&s, "%d.%X.", c.GeneralProfileIDC, bits.Reverse32(c.GeneralProfileCompatibilityFlags))
	if c.GeneralTierFlag {
		s.WriteByte('H')
	} else {
		s.WriteByte('L')
	}
	fmt.Fprintf(&s, "%d", c.GeneralLevelIDC)
	flags := c.GeneralConstraintIndicatorFlags
	n := 6
	for n > 0 && (flags>>(8*(6-n)))&0xff == 0 {
		n--
	}
	for i := range n {
		fmt.Fprintf(&s, ".%X", (flags>>(8*(5-i)))&0xff)
	}
	return s.String()
}

// vp9String is vp09.PP.LL.DD, with .CC.cp.tc.mc.FF when any of those
// differs from the defaults (4:2:0 colocated… 01, BT.709 01.01.01, limited range 00).
func vp9String(c *mp4.VppCBox) string {
	short := fmt.Sprintf("vp09.%02d.%02d.%02d", c.Profile, c.Level, c.BitDepth)
	if c.ChromaSubsampling == 1 && c.ColourPrimaries == 1 && c.TransferCharacteristics == 1 &&
		c.MatrixCoefficients == 1 && c.VideoFullRangeFlag == 0 {
		return short
	}
	return fmt.Sprintf("%s.%02d.%02d.%02d.%02d.%02d", short, c.ChromaSubsampling,
		c.ColourPrimaries, c.TransferCharacteristics, c.MatrixCoefficients, c.VideoFullRangeFlag)
}

// family is the codec family a rendition belongs to: one DASH
// AdaptationSet per family (and language, for audio).
func family(fourcc string) string {
	switch fourcc {
	case "avc1", "avc3":
		return "avc"
	case "hvc1", "hev1":
		return "hevc"
	case "vp09":
		return "vp9"
	case "av01":
		return "av1"
	case "mp4a":
		return "aac"
	case "Opus":
		return "opus"
	}
	return fourcc
}
