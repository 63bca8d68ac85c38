package av

// ReadIndexed decodes the next frame, as Read does, and returns its index
// in presentation order: frame 0 is the first frame a full decode returns,
// also after SeekFrame (from the frame's timestamp when the decoder was
// positioned by timestamps, else from the count of frames decoded). Call
// it instead of Read, once per frame, when the index matters.
func (d *Decoder) ReadIndexed() (int, error) {
	if err := d.Read(); err != nil {
		return 0, err
	}
	return d.frameIndex(), nil
}
