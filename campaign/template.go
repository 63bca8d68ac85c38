package campaign

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// ErrBadTemplate: an output template without "{title}", with another
// placeholder ("{name}"), with {title} inside a path element's middle
// of a bucket name, or empty.
var ErrBadTemplate = errors.New("campaign: bad template")

// Placeholder is what a template's title goes in place of.
const Placeholder = "{title}"

// Template is an output location with "{title}" in it, e.g.
// "s3://out/{title}/v2/". Make one with ParseTemplate.
type Template struct {
	s string
}

// ParseTemplate checks s: it must hold {title} at least once, and no
// other {…} placeholder; in an s3:// URI, {title} must be after the
// bucket. A template of a title's old outputs (--compare-with) is one too.
func ParseTemplate(s string) (Template, error) {
	if !strings.Contains(s, Placeholder) {
		return Template{}, fmt.Errorf("%w %q: no %s (every title would share one output)", ErrBadTemplate, s, Placeholder)
	}
	rest := strings.ReplaceAll(s, Placeholder, "")
	if strings.ContainsAny(rest, "{}") {
		return Template{}, fmt.Errorf("%w %q: only %s can be expanded", ErrBadTemplate, s, Placeholder)
	}
	if strings.ContainsRune(s, 0) {
		return Template{}, fmt.Errorf("%w %q: holds a NUL byte", ErrBadTemplate, s)
	}
	if scheme, after, ok := strings.Cut(s, "://"); ok {
		if strings.Contains(scheme, Placeholder) {
			return Template{}, fmt.Errorf("%w %q: %s in the scheme", ErrBadTemplate, s, Placeholder)
		}
		if strings.EqualFold(scheme, "s3") {
			bucket, _, _ := strings.Cut(after, "/")
			if strings.Contains(bucket, Placeholder) {
				return Template{}, fmt.Errorf("%w %q: %s in the bucket", ErrBadTemplate, s, Placeholder)
			}
		}
	}
	return Template{s: s}, nil
}

// String returns the template as given.
func (t Template) String() string { return t.s }

// IsZero reports whether t is the zero Template (none given).
func (t Template) IsZero() bool { return t.s == "" }

// Expand returns the template with every {title} replaced by
// SafeName(titleID): a title id cannot climb out of the template's prefix
// or add path elements, whatever it holds.
func (t Template) Expand(titleID string) string {
	return strings.ReplaceAll(t.s, Placeholder, SafeName(titleID))
}

// maxSafeName is the longest name SafeName returns, in bytes: file
// systems refuse longer names (255 bytes on ext4), and a name may be
// followed by a suffix.
const maxSafeName = 200

// SafeName maps a title id to one path element, injectively: ASCII
// letters, digits, '-', '_' and '.' are kept, every other byte (slashes,
// backslashes, spaces, '%', non-ASCII) is written %XX, and a name of dots
// only ("." or "..") has its dots written %2E. The result is never empty
// (an empty id, which CheckTitleID refuses anyway, is "~", a name no other
// id has).
// A name longer than 200 bytes is cut to 183 bytes, a '~' and 16 hex
// digits of the id's SHA-256, so two ids sharing a long prefix differ.
func SafeName(id string) string {
	if id == "" {
		return "~"
	}
	var b strings.Builder
	dots := strings.Trim(id, ".") == ""
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
			b.WriteByte(c)
		case c == '.' && !dots:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	s := b.String()
	if len(s) > maxSafeName {
		sum := sha256.Sum256([]byte(id))
		cut := maxSafeName - 17
		for cut > 0 && cut < len(s) && s[cut-1] == '%' || cut > 1 && s[cut-2] == '%' {
			cut-- // do not split an %XX escape
		}
		s = s[:cut] + "~" + hex.EncodeToString(sum[:8])
	}
	return s
}
