package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/socle/socle/internal/alerts"
	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/sensors"
)

// The hyperviseur's live updates: GET /hyperviseur/events streams, under
// the session of someone who may see devices, what changed as
// server-sent events: "alert" (an alert opened or changed: id, device,
// status), "devices" (new observations: the device IDs, at most
// hvMaxStreamDevices, coalesced over hvStreamFlush) and "reload" (events
// were lost: re-read everything). A comment every heartbeat keeps
// proxies from closing the connection; the stream ends when the client
// leaves, after hvStreamMaxAge (EventSource reconnects), or when the
// server shuts down (app.EndStreams closes the subscription).
// hyperviseur.js re-reads the map and the panels on each event.

const (
	hvHeartbeat        = 15 * time.Second
	hvStreamFlush      = time.Second
	hvStreamMaxAge     = 30 * time.Minute
	hvMaxStreamDevices = 100
)

// hvAlertEvent is the data of an "alert" event.
type hvAlertEvent struct {
	ID     int64  `json:"id"`
	Device string `json:"device"`
	Status string `json:"status"`
}

func (b *backOffice) handleHyperviseurEvents(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requireDevices(w, r)
	if !ok {
		return
	}
	sub, err := b.app.OpenControlRoomStream(p)
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	defer sub.Close()
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 5000\n: connected\n\n")
	if rc.Flush() != nil {
		return
	}
	b.streamEvents(w, rc, r, sub)
}

// streamEvents writes sub's events until the stream ends.
func (b *backOffice) streamEvents(w http.ResponseWriter, rc *http.ResponseController, r *http.Request, sub *app.Subscription) {
	beat, flush := time.NewTicker(hvHeartbeat), time.NewTicker(hvStreamFlush)
	defer beat.Stop()
	defer flush.Stop()
	end := time.After(hvStreamMaxAge)
	var devices []string
	for {
		select {
		case <-r.Context().Done():
			return
		case <-end:
			return
		case ev, ok := <-sub.C:
			if !ok {
				return
			}
			if sub.Lagged() {
				fmt.Fprint(w, "event: reload\ndata: {}\n\n")
			}
			devices = hvWrite(w, ev, devices)
			continue // written on the next flush tick
		case <-flush.C:
			if len(devices) > 0 {
				data, _ := json.Marshal(map[string][]string{"devices": devices})
				fmt.Fprintf(w, "event: devices\ndata: %s\n\n", data)
				devices = devices[:0]
			}
		case <-beat.C:
			fmt.Fprint(w, ": heartbeat\n\n")
		}
		if rc.Flush() != nil {
			return
		}
	}
}

// hvWrite writes an alert event at once and adds the devices of
// observations to those of the next "devices" event.
func hvWrite(w http.ResponseWriter, ev app.Event, devices []string) []string {
	switch d := ev.Data.(type) {
	case *alerts.Alert:
		data, _ := json.Marshal(hvAlertEvent{ID: d.ID, Device: d.Device, Status: d.Status})
		fmt.Fprintf(w, "event: alert\ndata: %s\n\n", data)
	case []sensors.Observation:
		for _, o := range d {
			if len(devices) < hvMaxStreamDevices && !slices.Contains(devices, o.Device) {
				devices = append(devices, o.Device)
			}
		}
	case app.WorkOrderChange:
		data, _ := json.Marshal(map[string]any{"id": d.WorkOrder.ID, "device": d.WorkOrder.Device, "status": d.WorkOrder.Status})
		fmt.Fprintf(w, "event: workorder\ndata: %s\n\n", data)
	}
	return devices
}
