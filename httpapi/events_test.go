package httpapi_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/socle/socle/httpapi"
	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/sqlite"
)

// TestEventStreamFormat pins the bytes of a dataset's event stream: the
// reconnection delay, a comment once connected, then one "change" event
// per write, each a JSON DatasetChange.
func TestEventStreamFormat(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "socle.db"))
	if err != nil {
		t.Fatal(err)
	}
	a := app.New(db, nil)
	defer a.Close()
	if _, _, err := a.EnsureDataset(context.Background(), app.System, &catalog.Dataset{ID: "flux"}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(a, slog.New(slog.NewTextHandler(io.Discard, nil)), httpapi.DefaultLimits))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/explore/v2.1/catalog/datasets/flux/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/event-stream" {
		t.Fatalf("%d %s", resp.StatusCode, ct)
	}
	r := bufio.NewReader(resp.Body)
	var got strings.Builder
	readUntilBlank := func() {
		for {
			line, err := r.ReadString('\n')
			got.WriteString(line)
			if err != nil || line == "\n" {
				return
			}
		}
	}
	readUntilBlank() // connected: the subscription exists from here on
	a.Publish(app.Event{Topic: app.TopicDataset + "flux", Data: app.DatasetChange{Dataset: "flux", IDs: []string{"1", "7"}}})
	a.Publish(app.Event{Topic: app.TopicDataset + "other", Data: app.DatasetChange{Dataset: "other"}})
	a.Publish(app.Event{Topic: app.TopicDataset + "flux", Data: app.DatasetChange{Dataset: "flux"}})
	readUntilBlank()
	readUntilBlank()
	want := "retry: 5000\n: connected\n\n" +
		"event: change\ndata: {\"dataset\":\"flux\",\"ids\":[\"1\",\"7\"]}\n\n" +
		"event: change\ndata: {\"dataset\":\"flux\"}\n\n"
	if got.String() != want {
		t.Errorf("stream:\n%q\nwant\n%q", got.String(), want)
	}
}

func TestEventStreamOfAnInvisibleDatasetIsNotFound(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "socle.db"))
	if err != nil {
		t.Fatal(err)
	}
	a := app.New(db, nil)
	defer a.Close()
	if _, _, err := a.EnsureDataset(context.Background(), app.System, &catalog.Dataset{ID: "secret", Access: catalog.AccessRestricted}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(a, slog.New(slog.NewTextHandler(io.Discard, nil)), httpapi.DefaultLimits))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/explore/v2.1/catalog/datasets/secret/events")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || !strings.Contains(string(body), `"error_code":"NotFound"`) {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
}
