package app_test

import (
	"context"
	"testing"

	"github.com/socle/socle/internal/app"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/maintenance"
)

func TestWorkOrderFromAlert(t *testing.T) {
	a, _ := alertSite(t)
	ctx := context.Background()
	feed(t, a, 0, 600)
	feed(t, a, 10, 620)
	al := activeAlerts(t, a)[0]
	w, err := a.WorkOrderFromAlert(ctx, app.System, al.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if w.Device != "m1" || *w.AlertID != al.ID || w.Title != al.Message || w.Priority != maintenance.PriorityHigh || w.Status != maintenance.StatusOpen {
		t.Errorf("work order %+v", w)
	}
	if err := a.AddUser(ctx, &auth.User{Login: "bob", Role: auth.RoleAgent}, ""); err != nil {
		t.Fatal(err)
	}
	if w, err = a.UpdateWorkOrder(ctx, app.System, w.ID, "", ptrS("bob")); err != nil || w.Status != maintenance.StatusAssigned {
		t.Fatalf("assign: %v, %+v", err, w)
	}
	if w, err = a.CommentWorkOrder(ctx, app.System, w.ID, "Vanne fermée"); err != nil || len(w.History) != 4 {
		t.Fatalf("comment: %v, %+v", err, w)
	}
	list, err := a.WorkOrders(ctx, app.System, maintenance.Filter{Device: "m1"})
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %v, %d", err, len(list))
	}
	for _, tc := range []struct {
		name string
		err  error
		want errs.Kind
	}{
		{"an unknown alert is refused", second(a.WorkOrderFromAlert(ctx, app.System, al.ID+9, "")), errs.NotFound},
		{"an unknown device is refused", a.CreateWorkOrder(ctx, app.System, &maintenance.WorkOrder{Device: "nope", Title: "x"}), errs.Invalid},
		{"an unknown assignee is refused", second(a.UpdateWorkOrder(ctx, app.System, w.ID, "", ptrS("nobody"))), errs.Invalid},
		{"an unknown status is refused", second(a.UpdateWorkOrder(ctx, app.System, w.ID, "lost", nil)), errs.Invalid},
		{"going back is a conflict", second(a.UpdateWorkOrder(ctx, app.System, w.ID, maintenance.StatusOpen, nil)), errs.Conflict},
		{"an anonymous caller sees nothing", second(a.WorkOrder(ctx, auth.Principal{}, w.ID)), errs.NotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if errs.KindOf(tc.err) != tc.want {
				t.Errorf("got %v, want %s", tc.err, tc.want)
			}
		})
	}
}

func second[T any](_ T, err error) error { return err }

func ptrS(s string) *string { return &s }
