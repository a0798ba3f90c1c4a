package app

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/dtpr"
	"github.com/socle/socle/internal/errs"
)

// Citizens' opinions on public sensors, given without an account. Floods
// are held back per client — a salted hash of its IP address, never the
// address — first in memory (which also counts discarded honeypot posts),
// then against the database, which survives restarts of the limiter but
// not of the salt: the salt is drawn at start, so hashes cannot be linked
// across restarts, nor reversed by whoever reads the database.

// Opinion rate limits per client.
const (
	OpinionsPerSensorHour = 5
	OpinionsPerDay        = 30
)

// ErrRateLimited refuses an opinion past the rate limits.
var ErrRateLimited = errs.E(errs.Unavailable, "trop d'avis envoyés depuis votre connexion : réessayez plus tard")

// OpinionInput is an opinion form as posted.
type OpinionInput struct {
	Device   string
	Answers  dtpr.Answers
	Client   string // the client's IP address, hashed at once
	Honeypot string // a field people do not see: bots fill it
}

// SubmitOpinion stores a citizen's opinion on a public sensor, pending
// moderation. A filled honeypot is accepted but discarded (ok, nothing
// stored) so that a bot learns nothing. errs.NotFound for a sensor that is
// not public, errs.Invalid or errs.TooLarge for bad answers, ErrRateLimited.
func (a *App) SubmitOpinion(ctx context.Context, in OpinionInput) (*dtpr.Opinion, error) {
	if _, err := a.PublicSensor(ctx, in.Device); err != nil {
		return nil, err
	}
	o, err := dtpr.ParseAnswers(in.Answers)
	if err != nil {
		return nil, err
	}
	now := a.Now().Truncate(time.Microsecond)
	hash := a.opinions.hash(in.Client)
	if !a.opinions.allow(hash, in.Device, now) {
		return nil, ErrRateLimited
	}
	if err := a.checkOpinionRate(ctx, hash, in.Device, now); err != nil {
		return nil, err
	}
	o.Device, o.Status, o.ClientHash, o.CreatedAt = in.Device, dtpr.StatusPending, hash, now
	if in.Honeypot != "" {
		a.Logger.Info("opinion discarded: honeypot filled", "device", in.Device)
		return o, nil
	}
	return o, a.Store.AddOpinion(ctx, o)
}

// checkOpinionRate applies the limits to what the database holds.
func (a *App) checkOpinionRate(ctx context.Context, hash, device string, now time.Time) error {
	n, err := a.Store.CountOpinions(ctx, hash, device, now.Add(-time.Hour))
	if err != nil {
		return err
	}
	if n >= OpinionsPerSensorHour {
		return ErrRateLimited
	}
	if n, err = a.Store.CountOpinions(ctx, hash, "", now.Add(-24*time.Hour)); err != nil {
		return err
	}
	if n >= OpinionsPerDay {
		return ErrRateLimited
	}
	return nil
}

// opinionGuard is the in-memory side of the limits.
type opinionGuard struct {
	once sync.Once
	salt []byte
	mu   sync.Mutex
	seen map[string][]seenOpinion // by client hash, oldest first, within a day
}

type seenOpinion struct {
	device string
	at     time.Time
}

// maxGuardClients bounds the clients remembered; past it, those without
// an opinion within the day are forgotten.
const maxGuardClients = 100_000

func (g *opinionGuard) init() {
	g.once.Do(func() {
		g.salt = make([]byte, 32)
		rand.Read(g.salt)
		g.seen = map[string][]seenOpinion{}
	})
}

// hash is the salted hash of a client address.
func (g *opinionGuard) hash(client string) string {
	g.init()
	m := hmac.New(sha256.New, g.salt)
	m.Write([]byte(client))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// allow records an opinion of client on device at now unless it is past
// a limit.
func (g *opinionGuard) allow(client, device string, now time.Time) bool {
	g.init()
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.seen) > maxGuardClients {
		g.prune(now)
	}
	recent := g.seen[client]
	for len(recent) > 0 && now.Sub(recent[0].at) >= 24*time.Hour {
		recent = recent[1:]
	}
	perSensor := 0
	for _, s := range recent {
		if s.device == device && now.Sub(s.at) < time.Hour {
			perSensor++
		}
	}
	if len(recent) >= OpinionsPerDay || perSensor >= OpinionsPerSensorHour {
		g.seen[client] = recent
		return false
	}
	g.seen[client] = append(recent, seenOpinion{device, now})
	return true
}

func (g *opinionGuard) prune(now time.Time) {
	for c, recent := range g.seen {
		if len(recent) == 0 || now.Sub(recent[len(recent)-1].at) >= 24*time.Hour {
			delete(g.seen, c)
		}
	}
}

// PublishedOpinions lists a public sensor's published opinions, newest
// first, at most limit.
func (a *App) PublishedOpinions(ctx context.Context, device string, limit int) ([]*dtpr.Opinion, error) {
	return a.Store.Opinions(ctx, dtpr.OpinionFilter{Device: device, Status: dtpr.StatusPublished, Limit: limit})
}

// CanModerate reports whether p moderates opinions: stewards and admins.
func CanModerate(p auth.Principal) bool { return p.Is(auth.RoleAdmin, auth.RoleSteward) }

// OpinionQueue lists opinions of a status for moderators, newest first, at
// most limit; errs.NotFound for others.
func (a *App) OpinionQueue(ctx context.Context, p auth.Principal, status string, limit int) ([]*dtpr.Opinion, error) {
	if !CanModerate(p) {
		return nil, errs.E(errs.NotFound, "page not found")
	}
	return a.Store.Opinions(ctx, dtpr.OpinionFilter{Status: status, Limit: limit})
}

// ModerateOpinion publishes or rejects an opinion, with an optional public
// reply; moderators only (errs.NotFound for others). errs.Invalid for
// another status or a reply over dtpr.MaxReplyRunes.
func (a *App) ModerateOpinion(ctx context.Context, p auth.Principal, id int64, status, reply string) (*dtpr.Opinion, error) {
	if !CanModerate(p) {
		return nil, errs.E(errs.NotFound, "opinion %d not found", id)
	}
	if status != dtpr.StatusPublished && status != dtpr.StatusRejected {
		return nil, errs.E(errs.Invalid, "status: published or rejected")
	}
	if err := dtpr.CheckReply(reply); err != nil {
		return nil, err
	}
	o, err := a.Store.Opinion(ctx, id)
	if err != nil {
		return nil, err
	}
	at := a.Now().Truncate(time.Microsecond)
	o.Status, o.Reply, o.ModeratedBy, o.ModeratedAt = status, reply, p.Login(), &at
	if err := a.Store.ModerateOpinion(ctx, o); err != nil {
		return nil, err
	}
	return o, a.Audit(ctx, p, "opinion."+status, "device:"+o.Device, 1, "")
}

// OpinionStats returns the published opinions' sums by device.
func (a *App) OpinionStats(ctx context.Context) (map[string]dtpr.Stats, error) {
	list, err := a.Store.OpinionStats(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]dtpr.Stats, len(list))
	for _, s := range list {
		out[s.Device] = s
	}
	return out, nil
}
