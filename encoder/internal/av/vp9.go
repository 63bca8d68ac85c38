package av

import "fmt"

// vp9KeyFrame checks that the first frame of a VP9 packet (a frame, or a
// superframe whose frames come first and whose index comes last) is a key
// frame, which carries its own frame size and so can start a chunk of
// another size. It reads the start of the uncompressed header: frame
// marker, profile, show_existing_frame, frame_type, show_frame,
// error_resilient_mode and a key frame's sync code. Errors wrap
// ErrInvalidData.
func vp9KeyFrame(b []byte) error {
	pos := 0 // in bits; bits past the end read as 0
	bit := func() int {
		if pos >= 8*len(b) {
			return 0
		}
		v := int(b[pos/8]>>(7-pos%8)) & 1
		pos++
		return v
	}
	bits := func(n int) int {
		v := 0
		for range n {
			v = v<<1 | bit()
		}
		return v
	}
	if len(b) == 0 {
		return fmt.Errorf("%w: the first packet is empty", ErrInvalidData)
	}
	if m := bits(2); m != 2 {
		return fmt.Errorf("%w: the first packet is not a VP9 frame (frame marker %d)", ErrInvalidData, m)
	}
	profile := bit()
	profile |= bit() << 1
	if profile == 3 && bit() != 0 {
		return fmt.Errorf("%w: the first frame's reserved bit is set", ErrInvalidData)
	}
	if bit() == 1 {
		return fmt.Errorf("%w: the first frame shows an earlier frame, it is not a keyframe", ErrInvalidData)
	}
	if bit() != 0 {
		return fmt.Errorf("%w: the first frame is not a keyframe", ErrInvalidData)
	}
	bits(2) // show_frame, error_resilient_mode
	if sync := bits(24); sync != 0x498342 {
		return fmt.Errorf("%w: the first frame's sync code is %06x, want 498342", ErrInvalidData, sync)
	}
	return nil
}
