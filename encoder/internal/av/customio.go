package av

import (
	"errors"
	"io"
	"sync"
	"syscall"

	"github.com/asticode/go-astiav"
)

// Input names what to open. Without Reader, libav opens Path itself (its
// file protocol for local paths). With Reader, the bytes come from Reader
// through a custom AVIOContext (read and seek callbacks) and Path only names
// the input: libav uses its extension when probing the format.
type Input struct {
	Path string
	// Reader and Size: the whole input, Size bytes, read at any offset.
	Reader io.ReaderAt
	Size   int64
}

// String names the input for errors.
func (in Input) String() string { return in.Path }

// ioBufferSize is the AVIOContext buffer: the most libav reads at once
// through the read callback for small reads (packets larger than it are
// read straight into the packet).
const ioBufferSize = 128 << 10

// libav's seek whence flags (libavformat/avio.h).
const (
	avseekSize  = 0x10000 // AVSEEK_SIZE: return the size, do not seek
	avseekForce = 0x20000 // AVSEEK_FORCE: a hint; ignored
)

var errEINVAL = astiav.Error(-int(syscall.EINVAL))

// customIO serves an io.ReaderAt to libav through an AVIOContext with one
// read position. It is used by one demuxer, from one goroutine at a time.
type customIO struct {
	mu   sync.Mutex
	r    io.ReaderAt
	size int64
	pos  int64
	err  error // first read error other than io.EOF
	ioc  *astiav.IOContext
}

func newCustomIO(r io.ReaderAt, size int64) (*customIO, error) {
	c := &customIO{r: r, size: size}
	ioc, err := astiav.AllocIOContext(ioBufferSize, false, c.read, c.seek, nil)
	if err != nil {
		return nil, err
	}
	c.ioc = ioc
	return c, nil
}

// read is the AVIOContext read callback: at most len(b) bytes from the
// position, AVERROR_EOF at the end, AVERROR(EIO) for a failed read (the
// cause is kept in c.err).
func (c *customIO) read(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.r == nil {
		return 0, astiav.ErrEio
	}
	if c.pos >= c.size {
		return 0, astiav.ErrEof
	}
	if rest := c.size - c.pos; int64(len(b)) > rest {
		b = b[:rest]
	}
	n, err := c.r.ReadAt(b, c.pos)
	c.pos += int64(n)
	switch {
	case n > 0:
		return n, nil // a failure shows up again on the next read
	case err == nil || errors.Is(err, io.EOF):
		return 0, astiav.ErrEof
	}
	if c.err == nil {
		c.err = err
	}
	return 0, astiav.ErrEio
}

// seek is the AVIOContext seek callback: SEEK_SET, SEEK_CUR and SEEK_END,
// AVSEEK_SIZE answers the size, AVSEEK_FORCE is ignored.
func (c *customIO) seek(offset int64, whence int) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if whence&avseekSize != 0 {
		return c.size, nil
	}
	var abs int64
	switch whence &^ avseekForce {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = c.pos + offset
	case io.SeekEnd:
		abs = c.size + offset
	default:
		return 0, errEINVAL
	}
	if abs < 0 {
		return 0, errEINVAL
	}
	c.pos = abs
	return abs, nil
}

// Err returns the first read error, if any.
func (c *customIO) Err() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// free releases the AVIOContext (after the format context that used it is
// closed) and drops the reader: astiav keeps the callbacks registered.
func (c *customIO) free() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ioc != nil {
		c.ioc.Free()
		c.ioc = nil
	}
	c.r = nil
}
