package s3test

import "io"

// ReadAll reads r to its end in reads of len(buf), as a demuxer or a FUSE
// client would, and returns the bytes read. The benchmarks use it because
// io.CopyBuffer into io.Discard does not: io.Discard's ReadFrom reads in
// 8 KiB pieces whatever buffer is passed.
func ReadAll(r io.Reader, buf []byte) (int64, error) {
	var n int64
	for {
		k, err := r.Read(buf)
		n += int64(k)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}
