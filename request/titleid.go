package request

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// MaxTitleIDBytes is the longest title id CheckTitleID accepts, in bytes.
// A title's workflow id is "reel-title/" and the title id, and Temporal
// refuses workflow ids of more than 1,000 bytes by default.
const MaxTitleIDBytes = 255

// ErrBadTitleID is wrapped by CheckTitleID's errors: the title id is empty,
// longer than MaxTitleIDBytes, not valid UTF-8, or holds a NUL or another
// control character. Callers report it as a bad request, never retried.
var ErrBadTitleID = errors.New("bad title id")

// CheckTitleID returns nil when id can be a title id. Any printable text of
// at most MaxTitleIDBytes is allowed, slashes, "..", quotes and angle
// brackets included: a title id names a workflow and is shown in reports
// and pages (escaped there), but it is never a path component of a
// worker's file or object (outputs go under the request's Out, scratch
// directories are named at random), so it cannot lead a write outside
// them. What is refused is what cannot be shown on one line or stored as
// a workflow id: control characters (NUL, escape sequences, newlines,
// DEL, C1 controls), invalid UTF-8 (and U+FFFD, what JSON makes of it)
// and over-long ids.
func CheckTitleID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%w: empty", ErrBadTitleID)
	case len(id) > MaxTitleIDBytes:
		head := id
		for i := range id {
			if i >= 20 {
				head = id[:i] + "…"
				break
			}
		}
		return fmt.Errorf("%w: %d bytes, at most %d allowed: %q", ErrBadTitleID, len(id), MaxTitleIDBytes, head)
	case !utf8.ValidString(id):
		return fmt.Errorf("%w: %q is not valid UTF-8", ErrBadTitleID, id)
	}
	for i, r := range id {
		switch {
		case unicode.IsControl(r):
			return fmt.Errorf("%w: %q has control character %U at byte %d", ErrBadTitleID, id, r, i)
		case r == utf8.RuneError:
			// What invalid UTF-8 becomes once encoded as JSON (a
			// workflow's input): refused alike.
			return fmt.Errorf("%w: %q has U+FFFD at byte %d (invalid UTF-8 replaced)", ErrBadTitleID, id, i)
		}
	}
	return nil
}
