package app

import (
	"context"
	"strings"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
)

// Dataset event streams (server-sent events on a dataset's page or API):
// each is a subscription to the dataset's topic, marked so that the server
// can end them all when it shuts down and can bound how many run at once.

// MaxStreams bounds the dataset event streams open at once.
const MaxStreams = 256

// streamMarker is a prefix no topic has: it marks stream subscriptions.
const streamMarker = "\x00stream"

// OpenDatasetStream subscribes to the changes of a dataset p may see
// (NotFound otherwise), or errs.Unavailable when MaxStreams are open. The
// caller closes it; EndStreams closes it too.
func (a *App) OpenDatasetStream(ctx context.Context, p auth.Principal, id string) (*Subscription, error) {
	if _, err := a.Dataset(ctx, p, id); err != nil {
		return nil, err
	}
	a.events.mu.RLock()
	n := 0
	for s := range a.events.subs {
		if isStream(s) {
			n++
		}
	}
	a.events.mu.RUnlock()
	if n >= MaxStreams {
		return nil, errs.E(errs.Unavailable, "too many live streams are open: retry later")
	}
	return a.Subscribe(TopicDataset+id, streamMarker), nil
}

func isStream(s *Subscription) bool {
	for _, p := range s.prefixes {
		if strings.HasPrefix(p, streamMarker) {
			return true
		}
	}
	return false
}

// EndStreams closes every dataset stream, so that their handlers return
// and a graceful shutdown does not wait for them (http.Server's
// RegisterOnShutdown hook).
func (a *App) EndStreams() {
	a.events.mu.RLock()
	var streams []*Subscription
	for s := range a.events.subs {
		if isStream(s) {
			streams = append(streams, s)
		}
	}
	a.events.mu.RUnlock()
	for _, s := range streams {
		s.Close()
	}
}
