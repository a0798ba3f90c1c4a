package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/maintenance"
)

// The hyperviseur's maintenance forms: assigning and commenting alerts,
// and work orders (opened from an alert or by hand on a device page,
// moved along and commented; the list of them on /hyperviseur/workorders).
// Each POST went through the anti-forgery check; each comes back to the
// page of its form (its "back" field) with a flash message.

// hvMaxWorkOrders bounds the work orders a page lists.
const hvMaxWorkOrders = 200

// hvBack returns the form's back field when it is a hyperviseur page.
func hvBack(r *http.Request) string {
	back := localPath(r.PostFormValue("back"))
	if back != "/hyperviseur" && !strings.HasPrefix(back, "/hyperviseur?") && !strings.HasPrefix(back, "/hyperviseur/") {
		return "/hyperviseur"
	}
	return back
}

// hvUsers lists the logins work can be assigned to: enabled accounts.
func (b *backOffice) hvUsers(ctx context.Context) ([]string, error) {
	us, err := b.app.Store.Users(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, u := range us {
		if !u.Disabled && u.Role != auth.RolePartner {
			out = append(out, u.Login)
		}
	}
	slices.Sort(out)
	return out, nil
}

// hvPost runs a hyperviseur action for the viewer and goes back with
// flash.<key>, or shows the refusal.
func (b *backOffice) hvPost(w http.ResponseWriter, r *http.Request, key string, act func(ctx context.Context, p auth.Principal) error) {
	p, ok := b.requireDevices(w, r)
	if !ok {
		return
	}
	if err := act(r.Context(), p); err != nil {
		b.renderError(w, r, err)
		return
	}
	redirectOK(w, r, hvBack(r), key)
}

func alertIDOf(r *http.Request) (int64, error) {
	if id := pathID(r, "id"); id != 0 {
		return id, nil
	}
	return 0, errs.E(errs.NotFound, "alert not found")
}

func (b *backOffice) handleHyperviseurAssign(w http.ResponseWriter, r *http.Request) {
	b.hvPost(w, r, "alert-assigned", func(ctx context.Context, p auth.Principal) error {
		id, err := alertIDOf(r)
		if err == nil {
			_, err = b.app.AssignAlert(ctx, p, id, r.PostFormValue("assignee"))
		}
		return err
	})
}

func (b *backOffice) handleHyperviseurComment(w http.ResponseWriter, r *http.Request) {
	b.hvPost(w, r, "alert-commented", func(ctx context.Context, p auth.Principal) error {
		id, err := alertIDOf(r)
		if err == nil {
			_, err = b.app.CommentAlert(ctx, p, id, r.PostFormValue("note"))
		}
		return err
	})
}

func (b *backOffice) handleHyperviseurAlertWorkOrder(w http.ResponseWriter, r *http.Request) {
	b.hvPost(w, r, "workorder-created", func(ctx context.Context, p auth.Principal) error {
		id, err := alertIDOf(r)
		if err == nil {
			_, err = b.app.WorkOrderFromAlert(ctx, p, id, "")
		}
		return err
	})
}

func (b *backOffice) handleHyperviseurCreateWorkOrder(w http.ResponseWriter, r *http.Request) {
	b.hvPost(w, r, "workorder-created", func(ctx context.Context, p auth.Principal) error {
		wo := &maintenance.WorkOrder{Device: r.PathValue("id"), Title: r.PostFormValue("title"),
			Description: r.PostFormValue("description"), Priority: r.PostFormValue("priority"), Assignee: r.PostFormValue("assignee")}
		return b.app.CreateWorkOrder(ctx, p, wo)
	})
}

func (b *backOffice) handleHyperviseurUpdateWorkOrder(w http.ResponseWriter, r *http.Request) {
	b.hvPost(w, r, "workorder-updated", func(ctx context.Context, p auth.Principal) error {
		id := pathID(r, "id")
		if id == 0 {
			return errs.E(errs.NotFound, "work order not found")
		}
		var assignee *string
		if _, ok := r.PostForm["assignee"]; ok {
			a := r.PostFormValue("assignee")
			assignee = &a
		}
		_, err := b.app.UpdateWorkOrder(ctx, p, id, r.PostFormValue("status"), assignee)
		return err
	})
}

func (b *backOffice) handleHyperviseurCommentWorkOrder(w http.ResponseWriter, r *http.Request) {
	b.hvPost(w, r, "workorder-commented", func(ctx context.Context, p auth.Principal) error {
		id := pathID(r, "id")
		if id == 0 {
			return errs.E(errs.NotFound, "work order not found")
		}
		_, err := b.app.CommentWorkOrder(ctx, p, id, r.PostFormValue("note"))
		return err
	})
}

// hvWorkOrder is a work order as the pages show it, with what its forms
// carry.
type hvWorkOrder struct {
	*maintenance.WorkOrder
	DeviceName string
	Next       []string // the statuses it may move to
	Users      []string
	CSRF, Back string
}

// hvWorkOrders decorates list for the pages.
func hvWorkOrders(list []*maintenance.WorkOrder, names map[string]string, users []string, csrf, back string) []hvWorkOrder {
	out := make([]hvWorkOrder, 0, len(list))
	for _, w := range list {
		hw := hvWorkOrder{WorkOrder: w, DeviceName: w.Device, Users: users, CSRF: csrf, Back: back}
		if n := names[w.Device]; n != "" {
			hw.DeviceName = n
		}
		for _, s := range maintenance.Statuses {
			if maintenance.CanMove(w.Status, s) {
				hw.Next = append(hw.Next, s)
			}
		}
		out = append(out, hw)
	}
	return out
}

// hvWorkOrdersPage is the data of /hyperviseur/workorders.
type hvWorkOrdersPage struct {
	Status     string
	Statuses   []hvTile
	WorkOrders []hvWorkOrder
}

func (b *backOffice) handleHyperviseurWorkOrders(w http.ResponseWriter, r *http.Request) {
	p, ok := b.requireDevices(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	pg := &hvWorkOrdersPage{Status: r.URL.Query().Get("status")}
	if !slices.Contains(maintenance.Statuses, pg.Status) {
		pg.Status = ""
	}
	back := "/hyperviseur/workorders"
	if pg.Status != "" {
		back += "?status=" + url.QueryEscape(pg.Status)
	}
	pg.Statuses = append(pg.Statuses, hvTile{Label: b.msgs.T("hyperviseur.wo.all"), URL: "/hyperviseur/workorders", Current: pg.Status == ""})
	for _, s := range maintenance.Statuses {
		pg.Statuses = append(pg.Statuses, hvTile{Label: b.label("hyperviseur.wo.status", s), URL: "/hyperviseur/workorders?status=" + s, Current: s == pg.Status})
	}
	list, err := b.app.WorkOrders(ctx, p, maintenance.Filter{Status: pg.Status, Limit: hvMaxWorkOrders})
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	users, err := b.hvUsers(ctx)
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	names, err := b.deviceNames(ctx)
	if err != nil {
		b.renderError(w, r, err)
		return
	}
	pg.WorkOrders = hvWorkOrders(list, names, users, viewerOf(r).CSRF, back)
	b.render(w, r, http.StatusOK, "hyperviseur_workorders", b.msgs.T("hyperviseur.wo.title"), pg)
}

func (b *backOffice) deviceNames(ctx context.Context) (map[string]string, error) {
	ds, err := b.app.Store.Devices(ctx, "")
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(ds))
	for _, d := range ds {
		out[d.ID] = d.Name
	}
	return out, nil
}

// deviceWorkOrders fills the device page's work orders and the users its
// forms offer.
func (b *backOffice) deviceWorkOrders(ctx context.Context, p auth.Principal, pg *hvDevicePage, csrf string) error {
	users, err := b.hvUsers(ctx)
	if err != nil {
		return err
	}
	list, err := b.app.WorkOrders(ctx, p, maintenance.Filter{Device: pg.D.ID, Limit: hvMaxWorkOrders})
	if err != nil {
		return err
	}
	pg.Users, pg.CSRF = users, csrf
	pg.Priorities = maintenance.Priorities
	pg.WorkOrders = hvWorkOrders(list, map[string]string{pg.D.ID: pg.D.Name}, users, csrf, pg.Back)
	for i := range pg.Alerts {
		pg.Alerts[i].Users = users
	}
	return nil
}

// alertUsers gives each alert of the panel the users it may be assigned to.
func alertUsers(list []hvAlert, users []string) {
	for i := range list {
		list[i].Users = users
	}
}

// AlertNo is the ID of the alert the work order was opened from, or 0.
func (w hvWorkOrder) AlertNo() int64 {
	if w.AlertID == nil {
		return 0
	}
	return *w.AlertID
}
