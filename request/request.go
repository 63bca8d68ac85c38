// Package request says what makes two encode requests of a title the same,
// and decides what a new request does given the title's previous run.
//
// A title's request is its title id, the identity of its source (where it
// is and what it holds), its canonical profile (after defaults, hashed) and
// its output location. The same request as a finished run is answered with
// that run's result; a different one is encoded again; a different one
// while a run is in flight is refused unless forced. Decide is the one
// place this is decided: `reel run` and `reel submit` (and campaigns) call
// it, so an ingest system can submit blindly on every delivery.
//
// The package is pure: no I/O, no clock, no Temporal.
package request

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrInFlight is wrapped by the error Decide's caller reports when a
// different request of the title is running and the new one is not forced.
var ErrInFlight = errors.New("a different request of this title is in flight")

// Source identifies a source's content cheaply: its size, its store's
// modification time and ETag (for objects) and the SHA-256 of its first
// and last MiB. Two sources are the same content when their size and
// hashes match: a re-uploaded identical file (new mtime, maybe a new ETag)
// is the same source, a changed one is not.
type Source struct {
	// Location is where the source is: an absolute path or a URI.
	Location string `json:"location"`
	Size     int64  `json:"size"`
	// ModTime is the file's or object's modification time.
	ModTime time.Time `json:"mtime"`
	// ETag is the object's entity tag (empty for local files).
	ETag       string `json:"etag,omitempty"`
	HeadSHA256 string `json:"head_sha256"`
	TailSHA256 string `json:"tail_sha256"`
}

// SameContent reports whether s and o hold the same bytes as far as the
// identity can tell: same size and same hashes of both ends.
func (s Source) SameContent(o Source) bool {
	return s.Size == o.Size && s.HeadSHA256 == o.HeadSHA256 && s.TailSHA256 == o.TailSHA256
}

// Identity is a title's request: what an encode was asked to do.
type Identity struct {
	TitleID string `json:"title_id"`
	Source  Source `json:"source"`
	// ProfileName is the profile's name, for messages; ProfileHash is
	// what is compared (profile.Profile.Hash: the profile after defaults,
	// serialised in a fixed order).
	ProfileName string `json:"profile_name"`
	ProfileHash string `json:"profile_hash"`
	// Out is the output location.
	Out string `json:"out"`
}

// Differences lists, in words, how the request o differs from id (the
// previous one); empty when they are the same request.
func (id Identity) Differences(o Identity) []string {
	var d []string
	if id.TitleID != o.TitleID {
		d = append(d, fmt.Sprintf("title id %q → %q", id.TitleID, o.TitleID))
	}
	switch {
	case id.Source.Location != o.Source.Location:
		d = append(d, fmt.Sprintf("source %s → %s", id.Source.Location, o.Source.Location))
		if !id.Source.SameContent(o.Source) {
			d = append(d, "source content "+contentChange(id.Source, o.Source))
		}
	case !id.Source.SameContent(o.Source):
		d = append(d, "source changed "+contentChange(id.Source, o.Source))
	}
	if id.ProfileHash != o.ProfileHash {
		d = append(d, fmt.Sprintf("profile changed (%s → %s)", profileLabel(id), profileLabel(o)))
	}
	if id.Out != o.Out {
		d = append(d, fmt.Sprintf("output %s → %s", id.Out, o.Out))
	}
	return d
}

// contentChange says how a source's content changed, in parentheses.
func contentChange(a, b Source) string {
	if a.Size != b.Size {
		return fmt.Sprintf("(size %s → %s)", Bytes(a.Size), Bytes(b.Size))
	}
	return fmt.Sprintf("(same size %s, other content)", Bytes(a.Size))
}

// profileLabel names a request's profile and the start of its hash.
func profileLabel(id Identity) string {
	h := strings.TrimPrefix(id.ProfileHash, "sha256:")
	if len(h) > 12 {
		h = h[:12]
	}
	if id.ProfileName == "" {
		return h
	}
	return id.ProfileName + " " + h
}

// Bytes formats a size in decimal units, as "1.2 MB".
func Bytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f, i := float64(n), 0
	for f >= unit && i < 5 {
		f /= unit
		i++
	}
	return fmt.Sprintf("%.1f %cB", f, "kMGTPE"[i-1])
}

// Status is the state of a title's previous run.
type Status string

// Run states, as Temporal reports a workflow execution's.
const (
	Running        Status = "running"
	Completed      Status = "completed"
	Failed         Status = "failed"
	Canceled       Status = "canceled"
	Terminated     Status = "terminated"
	TimedOut       Status = "timed out"
	ContinuedAsNew Status = "continued as new"
)

// Prior is a title's latest run, as the client finds it.
type Prior struct {
	RunID  string
	Status Status
	// Request is the run's recorded request; nil for a run started by a
	// reel that did not record it.
	Request *Identity
	// Started and Closed are the run's start and close times, in the
	// zone messages should use (Closed is zero while running).
	Started, Closed time.Time
}

// Action is what a new request does.
type Action int

// Actions.
const (
	// Start starts the title's first run.
	Start Action = iota
	// Join follows the run in flight: it is the same request.
	Join
	// Answer returns the finished run's result: it is the same request
	// and it completed.
	Answer
	// Restart starts a new run of the title: the previous one finished
	// and the request differs (or it failed, or --force).
	Restart
	// Refuse fails the request: a different request is in flight.
	Refuse
	// Replace cancels the run in flight and then starts a new one
	// (a different request, forced).
	Replace
)

var actionNames = [...]string{"start", "join", "answer", "restart", "refuse", "replace"}

func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return fmt.Sprintf("Action(%d)", int(a))
}

// Decision is Decide's answer: the action and, for the user, one line
// saying why (empty for Start).
type Decision struct {
	Action Action
	Reason string
}

// Err is the refusal as an error wrapping ErrInFlight; nil for any other
// action.
func (d Decision) Err() error {
	if d.Action != Refuse {
		return nil
	}
	return fmt.Errorf("%w%s", ErrInFlight, strings.TrimPrefix(d.Reason, ErrInFlight.Error()))
}

// timeLayout is how messages show a run's start.
const timeLayout = "2006-01-02 15:04"

// Decide says what the request req does given the title's latest run
// (nil: none) and whether the user forced it (--force):
//   - no previous run: Start;
//   - the same request in flight: Join (force changes nothing);
//   - the same request completed: Answer with its result, or Restart when
//     forced;
//   - the same request failed, was cancelled, terminated or timed out:
//     Restart (it is retried);
//   - a different request (or one whose run recorded none) after a
//     finished run: Restart, saying what changed;
//   - a different request in flight: Refuse naming the running request
//     and its start, or Replace when forced.
func Decide(prior *Prior, req Identity, force bool) Decision {
	if prior == nil {
		return Decision{Action: Start}
	}
	when := prior.Started.Format(timeLayout)
	var diffs []string
	if prior.Request == nil {
		diffs = []string{"the run recorded no request (started by an older reel)"}
	} else {
		diffs = prior.Request.Differences(req)
	}
	same := len(diffs) == 0
	changed := strings.Join(diffs, "; ")
	switch prior.Status {
	case Running:
		switch {
		case same:
			return Decision{Join, fmt.Sprintf("joining the encode in flight since %s", when)}
		case force:
			return Decision{Replace, fmt.Sprintf("since the encode in flight started %s: %s: cancelling it (--force) and encoding again", when, changed)}
		default:
			running := "a request that reel did not record"
			if prior.Request != nil {
				running = describe(*prior.Request)
			}
			return Decision{Refuse, fmt.Sprintf("%s: the encode started %s is still running %s (%s); wait for it, or pass --force to cancel it and encode this request",
				ErrInFlight, when, running, changed)}
		}
	case Completed:
		switch {
		case same && force:
			return Decision{Restart, fmt.Sprintf("the same request was encoded %s: encoding again (--force)", when)}
		case same:
			return Decision{Answer, fmt.Sprintf("already encoded %s with the same source, profile and output (--force encodes again)", when)}
		}
	default:
		if same {
			return Decision{Restart, fmt.Sprintf("the encode of %s %s: encoding again", when, prior.Status)}
		}
	}
	return Decision{Restart, fmt.Sprintf("since the encode of %s: %s: encoding again", when, changed)}
}

// describe is a request in a few words, for the refusal message.
func describe(id Identity) string {
	s := fmt.Sprintf("from %s (%s)", id.Source.Location, Bytes(id.Source.Size))
	s += " with profile " + profileLabel(id)
	return s + " to " + id.Out
}
