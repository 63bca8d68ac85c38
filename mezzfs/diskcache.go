package mezzfs

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/reel-video/reel/store/wholefile"
)

// diskCache keeps blocks as files under
// <dir>/<sha256(store, key, etag, block size)>/<block index>, written to a
// temporary file and renamed, so a reader sees a whole block or none. The
// ETag in the name means a changed object never hits stale blocks. Errors
// are not fatal: the block is fetched again. Files and directories get the
// modes of any tool's (0666 and 0777 less the umask), so that a cache
// shared by accounts can be read by all of them. Blocks are not synced
// (they are on the read path, and a block that is lost is fetched again).
type diskCache struct {
	dir string
}

func newDiskCache(root, store, key, etag string, blockSize int64) *diskCache {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%d", store, key, etag, blockSize)
	return &diskCache{dir: filepath.Join(root, hex.EncodeToString(h.Sum(nil)))}
}

func (c *diskCache) path(i int64) string {
	return filepath.Join(c.dir, strconv.FormatInt(i, 10))
}

func (c *diskCache) get(i, n int64) ([]byte, bool) {
	data, err := os.ReadFile(c.path(i))
	if err != nil || int64(len(data)) != n {
		return nil, false
	}
	return data, true
}

func (c *diskCache) put(i int64, data []byte) {
	p := c.path(i)
	tmp, err := wholefile.TempPath(p)
	if err != nil {
		return
	}
	if os.WriteFile(tmp, data, 0o666) != nil || os.Rename(tmp, p) != nil {
		os.Remove(tmp)
	}
}
