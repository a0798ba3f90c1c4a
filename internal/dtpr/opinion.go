package dtpr

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/socle/socle/internal/errs"
)

// Opinion is what a citizen says about a sensor, without an account: the
// answers to three fixed questions and a free comment. The client's IP
// address is never kept, only a salted hash of it, for rate limits.
type Opinion struct {
	ID          int64      `json:"id"`
	Device      string     `json:"device"`
	Understand  string     `json:"understand"` // oui, partiel, non
	Useful      int        `json:"useful"`     // 1–5
	Comfort     int        `json:"comfort"`    // 1–5
	Comment     string     `json:"comment,omitempty"`
	Status      string     `json:"status"`
	Reply       string     `json:"reply,omitempty"` // the steward's public reply
	ClientHash  string     `json:"-"`
	CreatedAt   time.Time  `json:"created_at"`
	ModeratedBy string     `json:"moderated_by,omitempty"`
	ModeratedAt *time.Time `json:"moderated_at,omitempty"`
}

// Opinion statuses.
const (
	StatusPending   = "pending"
	StatusPublished = "published"
	StatusRejected  = "rejected"
)

// Understand answers, in the order of the form.
var UnderstandAnswers = []string{"oui", "partiel", "non"}

// Limits of an opinion.
const (
	MaxCommentRunes = 1000
	MaxReplyRunes   = 1000
)

// Answers is an opinion form as posted: every value as text.
type Answers struct {
	Understand, Useful, Comfort, Comment string
}

// ParseAnswers checks a posted form and returns the opinion it makes
// (device, status and times left to the caller). errs.Invalid names the
// first fault; errs.TooLarge for a comment over MaxCommentRunes.
func ParseAnswers(a Answers) (*Opinion, error) {
	o := &Opinion{Understand: a.Understand}
	if !contains(UnderstandAnswers, a.Understand) {
		return nil, errs.E(errs.Invalid, "understand: answer oui, partiel or non")
	}
	var err error
	if o.Useful, err = scale("useful", a.Useful); err != nil {
		return nil, err
	}
	if o.Comfort, err = scale("comfort", a.Comfort); err != nil {
		return nil, err
	}
	o.Comment = strings.TrimSpace(strings.ReplaceAll(a.Comment, "\r\n", "\n"))
	if utf8.RuneCountInString(o.Comment) > MaxCommentRunes {
		return nil, errs.E(errs.TooLarge, "comment: at most %d characters", MaxCommentRunes)
	}
	if err := checkComment(o.Comment); err != nil {
		return nil, err
	}
	return o, nil
}

// checkComment accepts valid UTF-8 with line breaks and tabs as the only
// control characters.
func checkComment(s string) error {
	if !utf8.ValidString(s) {
		return errs.E(errs.Invalid, "comment: not valid UTF-8")
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return errs.E(errs.Invalid, "comment: control characters")
		}
	}
	return nil
}

func scale(name, s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 5 {
		return 0, errs.E(errs.Invalid, "%s: answer 1 to 5", name)
	}
	return n, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Stats sums the published opinions of one device; sums rather than
// averages so that the stats of several devices (a place) add up exactly.
type Stats struct {
	Device     string
	Count      int
	Understand [3]int // per UnderstandAnswers
	UsefulSum  int
	ComfortSum int
}

// Add adds o's counts to s.
func (s *Stats) Add(o Stats) {
	s.Count += o.Count
	for i := range s.Understand {
		s.Understand[i] += o.Understand[i]
	}
	s.UsefulSum += o.UsefulSum
	s.ComfortSum += o.ComfortSum
}

// UsefulAvg and ComfortAvg are the mean answers, 0 without opinions.
func (s Stats) UsefulAvg() float64  { return avg(s.UsefulSum, s.Count) }
func (s Stats) ComfortAvg() float64 { return avg(s.ComfortSum, s.Count) }

func avg(sum, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(sum) / float64(n)
}

// Record is a stored chain with who wrote it last.
type Record struct {
	Device    string    `json:"device"`
	Chain     *Chain    `json:"chain"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`
}

// OpinionFilter selects opinions: of a device ("" for all), of a status
// ("" for all), at most Limit (newest first).
type OpinionFilter struct {
	Device string
	Status string
	Limit  int
}

// Store persists datachains and opinions.
type Store interface {
	// PutChain inserts or replaces a device's chain.
	PutChain(ctx context.Context, r *Record) error
	// Chain returns a device's chain. errs.NotFound.
	Chain(ctx context.Context, device string) (*Record, error)
	// Chains lists every chain by device.
	Chains(ctx context.Context) ([]*Record, error)

	// AddOpinion stores o and sets its ID.
	AddOpinion(ctx context.Context, o *Opinion) error
	// Opinion returns one opinion. errs.NotFound.
	Opinion(ctx context.Context, id int64) (*Opinion, error)
	// Opinions lists opinions newest first (created_at, then ID).
	Opinions(ctx context.Context, f OpinionFilter) ([]*Opinion, error)
	// ModerateOpinion sets an opinion's status, reply, moderator and
	// moderation time. errs.NotFound.
	ModerateOpinion(ctx context.Context, o *Opinion) error
	// CountOpinions counts the opinions of a client hash since a time, of
	// one device ("" for all), whatever their status.
	CountOpinions(ctx context.Context, clientHash, device string, since time.Time) (int, error)
	// OpinionStats sums the published opinions per device, by device.
	OpinionStats(ctx context.Context) ([]Stats, error)

	DeploymentStore
}

// CheckReply bounds a steward's reply like a comment. errs.Invalid.
func CheckReply(s string) error {
	if utf8.RuneCountInString(s) > MaxReplyRunes {
		return errs.E(errs.Invalid, "reply: at most %d characters", MaxReplyRunes)
	}
	return checkComment(s)
}
