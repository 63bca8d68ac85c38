// Package fusefs mounts objects of a mezzfs.Store as a read-only FUSE
// file system, so tools that only take file names (ffprobe, ffmpeg, any
// decoder) read just the bytes they touch straight from object storage.
//
// Objects under a prefix become files; '/' in keys becomes directories.
// Each open file is served by its own mezzfs.Reader (block cache, adaptive
// read-ahead, verified retries, ETag pinned at open). Writes fail with
// EROFS. The listing is taken once, at mount time.
package fusefs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/reel-video/reel/mezzfs"
)

// Options configures a mount. Zero fields take the documented defaults.
type Options struct {
	// Reader configures the Reader behind every open file (defaults as
	// in mezzfs.ReaderOptions, except Stream: see NoStream). Its Trace is
	// ignored: use Record.
	Reader mezzfs.ReaderOptions
	// NoStream leaves Reader.Stream as given. By default the mount turns
	// it on: a file read sequentially (the kernel's read-ahead) is served
	// by one GET to the end of the object, which on loopback versitygw is
	// what brings the mount close to plain-GET speed; on a link that caps
	// each connection the Reader gives the stream up for parallel ranged
	// GETs (mezzfs.ReaderOptions.StreamMinRate). Default false.
	NoStream bool
	// Record, if set, receives the read trace of every file as JSON lines
	// (mezzfs.TraceRecord: key, offset, length, time), for mezzfs.Replay.
	Record io.Writer
	// KernelReadAhead is the kernel's read-ahead for the mount. FUSE's
	// handshake allows 128 KiB; more is set through
	// /sys/class/bdi/*/read_ahead_kb, which only root may write (others
	// keep 128 KiB). Default 1 MiB.
	KernelReadAhead int
	// MaxRequest is the largest read the kernel sends in one FUSE request
	// (max_read; Linux ≥ 4.20 allows up to 1 MiB). Default 1 MiB: replies
	// are written with writev from the Reader's blocks, never spliced, so
	// the size of go-fuse's splice pipe does not bound them, and fewer,
	// larger requests read faster.
	MaxRequest int
	// DirectIO bypasses the kernel page cache (FOPEN_DIRECT_IO): every
	// read(2) becomes a FUSE request of at most MaxRequest bytes, answered
	// straight into the caller's buffer, with no kernel read-ahead (the
	// Reader's own read-ahead and cache still apply). It saves a copy and
	// the page-cache upkeep, about a quarter of the mount's CPU on large
	// sequential reads, but small reads each cost a round trip and nothing
	// stays cached for the next open. mmap keeps working on Linux ≥ 6.6
	// (FUSE_DIRECT_IO_ALLOW_MMAP). Default false.
	DirectIO bool
	// AllowOther lets other users see the mount (needs user_allow_other
	// in /etc/fuse.conf for non-root). Default false.
	AllowOther bool
	// Debug logs every FUSE request to stderr. Default false.
	Debug bool
}

// MountPoint is a mounted file system. (The type cannot share the name of
// the Mount function in Go.)
type MountPoint struct {
	dir    string
	server *fuse.Server
	trace  *mezzfs.TraceWriter
	cancel context.CancelFunc

	mu     sync.Mutex
	closed mezzfs.Stats // stats of released files
	open   map[*handle]struct{}
	once   sync.Once
	err    error
}

// Mount lists the objects under prefix in store and mounts them read-only
// at mountpoint (an existing directory). A prefix without a trailing '/'
// is taken as a directory. ctx bounds every read; cancelling it fails
// reads but does not unmount: call Unmount.
func Mount(ctx context.Context, store mezzfs.Store, prefix, mountpoint string, opts Options) (*MountPoint, error) {
	if _, err := os.Stat("/dev/fuse"); err != nil {
		return nil, fmt.Errorf("fusefs: FUSE unavailable: %w", err)
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	objs, err := store.List(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("fusefs: listing %s/%s: %w", store, prefix, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	m := &MountPoint{dir: mountpoint, cancel: cancel, open: map[*handle]struct{}{}}
	if opts.Record != nil {
		m.trace = mezzfs.NewTraceWriter(opts.Record)
	}
	ropts := opts.Reader
	ropts.Stream = ropts.Stream || !opts.NoStream
	ropts.Trace = m.trace
	root := &dirNode{}
	root.onAdd = func(addCtx context.Context) {
		for _, o := range objs {
			rel := strings.TrimPrefix(o.Key, prefix)
			parts := strings.Split(rel, "/")
			p := &root.Inode
			ok := true
			for _, part := range parts[:len(parts)-1] {
				if part == "" || part == "." || part == ".." {
					ok = false
					break
				}
				ch := p.GetChild(part)
				if ch == nil {
					ch = p.NewPersistentInode(addCtx, &dirNode{}, fs.StableAttr{Mode: fuse.S_IFDIR})
					p.AddChild(part, ch, true)
				} else if !ch.IsDir() {
					ok = false // "a" is a file and "a/b" exists: keep the file
					break
				}
				p = ch
			}
			name := parts[len(parts)-1]
			if !ok || name == "" || name == "." || name == ".." || p.GetChild(name) != nil {
				continue
			}
			f := &fileNode{m: m, ctx: ctx, store: store, info: o, opts: ropts, directIO: opts.DirectIO}
			p.AddChild(name, p.NewPersistentInode(addCtx, f, fs.StableAttr{Mode: fuse.S_IFREG}), true)
		}
	}
	maxReq := opts.MaxRequest
	if maxReq <= 0 {
		maxReq = 1 << 20
	}
	ra := opts.KernelReadAhead
	if ra <= 0 {
		ra = 1 << 20
	}
	var extraCaps uint64
	if opts.DirectIO {
		extraCaps = fuse.CAP_DIRECT_IO_ALLOW_MMAP
	}
	sec := time.Hour // the tree never changes while mounted
	server, err := fs.Mount(mountpoint, root, &fs.Options{
		MountOptions: fuse.MountOptions{
			Options:           []string{"ro"},
			FsName:            store.String() + "/" + prefix,
			Name:              "mezzfs",
			MaxReadAhead:      min(ra, maxReq),
			MaxWrite:          maxReq,
			AllowOther:        opts.AllowOther,
			ExtraCapabilities: extraCaps,
			Debug:             opts.Debug,
		},
		EntryTimeout: &sec,
		AttrTimeout:  &sec,
	})
	if err != nil {
		cancel()
		return nil, fmt.Errorf("fusefs: mounting %s at %s: %w", store, mountpoint, err)
	}
	m.server = server
	if ra > 128<<10 {
		raiseReadAhead(mountpoint, ra)
	}
	return m, nil
}

// raiseReadAhead sets the mount's kernel read-ahead above the 128 KiB the
// FUSE init handshake allows, through /sys/class/bdi/MAJ:MIN/read_ahead_kb.
// Only root may; failure is harmless (reads just come in 128 KiB requests).
func raiseReadAhead(mountpoint string, bytes int) {
	var st syscall.Stat_t
	if err := syscall.Stat(mountpoint, &st); err != nil {
		return
	}
	maj, mnr := (st.Dev>>8)&0xfff|(st.Dev>>32)&^0xfff, st.Dev&0xff|(st.Dev>>12)&^0xff
	p := fmt.Sprintf("/sys/class/bdi/%d:%d/read_ahead_kb", maj, mnr)
	_ = os.WriteFile(p, []byte(strconv.Itoa(bytes>>10)), 0)
}

// Dir returns the mount point.
func (m *MountPoint) Dir() string { return m.dir }

// Stats sums the Stats of every file opened so far (open ones included).
func (m *MountPoint) Stats() mezzfs.Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.closed
	for h := range m.open {
		s = s.Add(h.r.Stats())
	}
	return s
}

// Unmount unmounts (retrying briefly while the mount is busy), then
// closes the Readers of files still open. Safe to call more than once.
func (m *MountPoint) Unmount() error {
	m.once.Do(func() {
		var err error
		for i := 0; i < 20; i++ {
			if err = m.server.Unmount(); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err != nil {
			m.err = fmt.Errorf("fusefs: unmounting %s: %w", m.dir, err)
			return
		}
		m.server.Wait()
		m.cancel()
		m.mu.Lock()
		hs := m.open
		m.open = map[*handle]struct{}{}
		for h := range hs {
			m.closed = m.closed.Add(h.r.Stats())
		}
		m.mu.Unlock()
		for h := range hs {
			h.r.Close()
		}
		if m.trace != nil {
			m.err = m.trace.Err()
		}
	})
	return m.err
}

type dirNode struct {
	fs.Inode
	onAdd func(ctx context.Context)
}

var _ fs.NodeOnAdder = (*dirNode)(nil)

func (d *dirNode) OnAdd(ctx context.Context) {
	if d.onAdd != nil {
		d.onAdd(ctx)
	}
}

type fileNode struct {
	fs.Inode
	m     *MountPoint
	ctx   context.Context
	store mezzfs.Store
	info  mezzfs.ObjectInfo
	opts  mezzfs.ReaderOptions
	// directIO: open with FOPEN_DIRECT_IO instead of FOPEN_KEEP_CACHE.
	directIO bool
}

var (
	_ fs.NodeGetattrer = (*fileNode)(nil)
	_ fs.NodeOpener    = (*fileNode)(nil)
	_ fs.NodeSetattrer = (*fileNode)(nil)
)

func (f *fileNode) Getattr(ctx context.Context, fh fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	out.Mode = fuse.S_IFREG | 0o444
	out.Size = uint64(f.info.Size)
	out.Blocks = (out.Size + 511) / 512
	out.SetTimes(nil, &f.info.ModTime, &f.info.ModTime)
	return fs.OK
}

func (f *fileNode) Setattr(ctx context.Context, fh fs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	return syscall.EROFS
}

func (f *fileNode) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	if flags&(syscall.O_WRONLY|syscall.O_RDWR|syscall.O_TRUNC|syscall.O_APPEND|syscall.O_CREAT) != 0 {
		return nil, 0, syscall.EROFS
	}
	r, err := mezzfs.NewReader(f.ctx, f.store, f.info.Key, f.opts)
	if err != nil {
		return nil, 0, errno(err)
	}
	if r.Info().ETag != f.info.ETag && f.info.ETag != "" {
		// Replaced since the mount listed it: the size we report is wrong.
		r.Close()
		return nil, 0, syscall.ESTALE
	}
	h := &handle{m: f.m, r: r}
	f.m.mu.Lock()
	f.m.open[h] = struct{}{}
	f.m.mu.Unlock()
	if f.directIO {
		return h, fuse.FOPEN_DIRECT_IO, fs.OK
	}
	return h, fuse.FOPEN_KEEP_CACHE, fs.OK
}

// errno maps mezzfs errors to what a file system returns.
func errno(err error) syscall.Errno {
	switch {
	case err == nil:
		return fs.OK
	case errors.Is(err, mezzfs.ErrNotFound):
		return syscall.ENOENT
	case errors.Is(err, mezzfs.ErrAccessDenied):
		return syscall.EACCES
	case errors.Is(err, mezzfs.ErrChanged):
		return syscall.ESTALE
	case errors.Is(err, mezzfs.ErrClosed), errors.Is(err, context.Canceled):
		return syscall.EINTR
	}
	return syscall.EIO
}

type handle struct {
	m *MountPoint
	r *mezzfs.Reader
}

var (
	_ fs.FileReader   = (*handle)(nil)
	_ fs.FileReleaser = (*handle)(nil)
)

// Read answers with the Reader's cached blocks themselves: go-fuse
// writes them to the kernel with one writev, so the bytes are copied once
// (into the page cache) instead of first into dest.
func (h *handle) Read(ctx context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	bufs, release, err := h.r.Borrow(off, len(dest))
	if err != nil && !errors.Is(err, io.EOF) {
		release()
		return nil, errno(err)
	}
	res := &blockResult{bufs: bufs, release: release}
	if res.Size() == 0 {
		// go-fuse sends an empty reply without calling Done.
		res.Done()
	}
	return res, fs.OK
}

// blockResult is a fuse.ReadResult over borrowed Reader blocks. Its
// Slices method makes go-fuse write them with writev (no splice attempt,
// no copy into its own buffer); Done returns them to the Reader.
type blockResult struct {
	bufs    [][]byte
	release func()
}

func (b *blockResult) Size() int {
	n := 0
	for _, v := range b.bufs {
		n += len(v)
	}
	return n
}

func (b *blockResult) Bytes(buf []byte) ([]byte, fuse.Status) {
	buf = buf[:0]
	for _, v := range b.bufs {
		buf = append(buf, v...)
	}
	return buf, fuse.OK
}

func (b *blockResult) Slices() ([][]byte, fuse.Status) { return b.bufs, fuse.OK }

func (b *blockResult) Done() {
	if b.release != nil {
		b.release()
		b.release = nil
	}
}

func (h *handle) Release(ctx context.Context) syscall.Errno {
	h.m.mu.Lock()
	if _, ok := h.m.open[h]; ok {
		delete(h.m.open, h)
		h.m.closed = h.m.closed.Add(h.r.Stats())
	}
	h.m.mu.Unlock()
	h.r.Close()
	return fs.OK
}
