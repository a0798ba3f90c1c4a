package app

import (
	"context"
	"crypto/subtle"
	"strconv"

	"github.com/socle/socle/internal/audit"
	"github.com/socle/socle/internal/auth"
	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/live"
)

// The push API's use cases (Opendatasoft push API 1.0): records sent with
// a dataset's push key are upserted in place into its published version,
// keyed by the dataset's key fields. A push authenticates by its key alone,
// and a wrong key looks exactly like an unknown dataset.

// pushKeyPrefix makes push keys recognisable in logs and leaks.
const pushKeyPrefix = "sp_"

// writableDataset returns dataset id when p may see and change it.
func (a *App) writableDataset(ctx context.Context, p auth.Principal, id string) (*catalog.Dataset, error) {
	d, err := a.Dataset(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !auth.CanWrite(p, d) {
		return nil, errs.E(errs.Forbidden, "you may not change dataset %q", id)
	}
	return d, nil
}

// PushStatus returns the push key record of a dataset p may change; one
// that is not enabled when push was never enabled.
func (a *App) PushStatus(ctx context.Context, p auth.Principal, id string) (*live.PushKey, error) {
	if _, err := a.writableDataset(ctx, p, id); err != nil {
		return nil, err
	}
	k, err := a.Store.PushKey(ctx, id)
	if errs.Is(err, errs.NotFound) {
		return &live.PushKey{DatasetID: id}, nil
	}
	return k, err
}

// EnablePush makes a new push key for dataset id (replacing any earlier
// one) and returns it: it is shown this once, only its hash is kept.
func (a *App) EnablePush(ctx context.Context, p auth.Principal, id string) (string, error) {
	d, err := a.writableDataset(ctx, p, id)
	if err != nil {
		return "", err
	}
	key := pushKeyPrefix + auth.RandomToken(24)
	k := &live.PushKey{DatasetID: id, Hash: auth.HashAPIKey(key), Enabled: true, Actor: p.Login(), UpdatedAt: a.Now()}
	if err := a.Store.PutPushKey(ctx, k); err != nil {
		return "", err
	}
	if err := a.markRealTime(ctx, d, true); err != nil {
		return "", err
	}
	a.Audit(ctx, p, "dataset.push.enable", id, 0, "")
	return key, nil
}

// DisablePush refuses further pushes to dataset id until a new key is made.
func (a *App) DisablePush(ctx context.Context, p auth.Principal, id string) error {
	d, err := a.writableDataset(ctx, p, id)
	if err != nil {
		return err
	}
	k, err := a.Store.PushKey(ctx, id)
	if err != nil {
		return err
	}
	k.Enabled, k.Actor, k.UpdatedAt = false, p.Login(), a.Now()
	if err := a.Store.PutPushKey(ctx, k); err != nil {
		return err
	}
	if err := a.markRealTime(ctx, d, a.hasFeed(ctx, id)); err != nil {
		return err
	}
	a.Audit(ctx, p, "dataset.push.disable", id, 0, "")
	return nil
}

// markRealTime saves whether d is fed live, for its page's label.
func (a *App) markRealTime(ctx context.Context, d *catalog.Dataset, on bool) error {
	if d.Meta.RealTime == on {
		return nil
	}
	setRealTime(d, on)
	return a.Store.UpdateDataset(ctx, d)
}

// setRealTime marks d as fed live or not; a live dataset with no declared
// frequency is updated continuously (the EU frequency UPDATE_CONT, which
// the portal labels "Temps réel").
func setRealTime(d *catalog.Dataset, on bool) {
	d.Meta.RealTime = on
	if on && d.Meta.Frequency == "" {
		d.Meta.Frequency = "UPDATE_CONT"
	}
}

// pushTarget returns the dataset a push with key may write, or NotFound
// for an unknown dataset, no key or a wrong key alike.
func (a *App) pushTarget(ctx context.Context, id, key string) (*catalog.Dataset, error) {
	notFound := errs.E(errs.NotFound, "unknown dataset or wrong push key")
	if !ValidDatasetID(id) || key == "" {
		return nil, notFound
	}
	k, err := a.Store.PushKey(ctx, id)
	if errs.Is(err, errs.NotFound) {
		return nil, notFound
	} else if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(k.Hash), []byte(auth.HashAPIKey(key))) != 1 {
		return nil, notFound
	}
	if !k.Enabled {
		return nil, errs.E(errs.Forbidden, "push is disabled for this dataset")
	}
	return a.Store.Dataset(ctx, id)
}

// Push upserts the records of a push body (a JSON object or an array of
// them) into dataset id, in one transaction: by the dataset's key fields,
// or appended when it has none. Every value must cast to its field's
// type and every name must be a field, or nothing is written.
func (a *App) Push(ctx context.Context, id, key string, body []byte) (live.Result, error) {
	d, err := a.pushTarget(ctx, id, key)
	if err != nil {
		return live.Result{}, err
	}
	recs, err := live.DecodeRecords(body)
	if err != nil {
		return live.Result{}, err
	}
	rows, err := live.CastRecords(d.Fields, recs)
	if err != nil {
		return live.Result{}, err
	}
	res, err := a.Store.UpsertRecords(ctx, live.Upsert{DatasetID: id, Fields: d.Fields, Keys: d.Meta.KeyFields, Rows: rows, Now: a.Now()})
	if err != nil {
		return res, err
	}
	a.afterLiveWrite(ctx, id, "dataset.push", res)
	return res, nil
}

// PushDelete deletes, in one transaction, the records matching those of a
// push body: on the dataset's key fields when the records have them all,
// else on every field they name (the same for every record).
func (a *App) PushDelete(ctx context.Context, id, key string, body []byte) (live.Result, error) {
	d, err := a.pushTarget(ctx, id, key)
	if err != nil {
		return live.Result{}, err
	}
	recs, err := live.DecodeRecords(body)
	if err != nil {
		return live.Result{}, err
	}
	if _, err := live.CastRecords(d.Fields, recs); err != nil {
		return live.Result{}, err
	}
	if len(recs) == 0 {
		return live.Result{Records: d.Records}, nil // nothing to delete
	}
	match := matchFields(d, recs[0])
	if len(match) == 0 {
		return live.Result{}, errs.E(errs.Invalid, "record 1 names no field to match")
	}
	rows := make([]catalog.Row, len(recs))
	for i, rec := range recs {
		if !sameNames(match, matchFields(d, rec)) {
			return live.Result{}, errs.E(errs.Invalid, "record %d names other fields than record 1: the records of one delete must name the same fields", i+1)
		}
		if rows[i], err = live.CastRecord(match, onlyFields(rec, match)); err != nil {
			return live.Result{}, errs.Wrap(errs.Invalid, err, "record %d: %s", i+1, errs.Message(err))
		}
	}
	res, err := a.Store.DeleteRecords(ctx, live.Delete{DatasetID: id, Match: match, Rows: rows, Now: a.Now()})
	if err != nil {
		return res, err
	}
	a.afterLiveWrite(ctx, id, "dataset.push.delete", res)
	return res, nil
}

func sameNames(a, b []catalog.Field) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name {
			return false
		}
	}
	return true
}

// PushDeleteID deletes record recordID of dataset id.
func (a *App) PushDeleteID(ctx context.Context, id, key, recordID string) (live.Result, error) {
	if _, err := a.pushTarget(ctx, id, key); err != nil {
		return live.Result{}, err
	}
	rid, err := strconv.ParseInt(recordID, 10, 64)
	if err != nil || rid <= 0 {
		return live.Result{}, errs.E(errs.NotFound, "record %q not found", recordID)
	}
	res, err := a.Store.DeleteRecords(ctx, live.Delete{DatasetID: id, IDs: []int64{rid}, Now: a.Now()})
	if err != nil {
		return res, err
	}
	if res.Deleted == 0 {
		return res, errs.E(errs.NotFound, "record %q not found", recordID)
	}
	a.afterLiveWrite(ctx, id, "dataset.push.delete", res)
	return res, nil
}

// matchFields are the fields a delete by values compares: the key fields
// when rec has them all, else the fields rec names, in dataset order.
func matchFields(d *catalog.Dataset, rec live.Record) []catalog.Field {
	var keys []catalog.Field
	for _, k := range d.Meta.KeyFields {
		f, ok := d.Field(k)
		if _, named := rec[k]; !ok || !named {
			keys = nil
			break
		}
		keys = append(keys, f)
	}
	if len(keys) > 0 {
		return keys
	}
	var out []catalog.Field
	for _, f := range d.Fields {
		if _, ok := rec[f.Name]; ok {
			out = append(out, f)
		}
	}
	return out
}

func onlyFields(rec live.Record, fields []catalog.Field) live.Record {
	out := make(live.Record, len(fields))
	for _, f := range fields {
		out[f.Name] = rec[f.Name]
	}
	return out
}

// afterLiveWrite audits an in-place write, tells the dataset's live
// subscribers, and refreshes the catalog index (record count, modified).
func (a *App) afterLiveWrite(ctx context.Context, id, action string, res live.Result) {
	n := int64(res.Inserted + res.Updated + res.Deleted)
	if err := a.Store.AppendAudit(ctx, &audit.Entry{Time: a.Now(), Actor: "push:" + id, Action: action, Target: id, Records: n}); err != nil {
		a.Logger.Error("audit append failed", "action", action, "target", id, "err", err)
	}
	a.publishChange(id, res.IDs)
	if err := a.RefreshCatalog(context.WithoutCancel(ctx)); err != nil {
		a.Logger.Error("catalog index refresh failed", "err", err)
	}
}

// publishChange tells the dataset's subscribers which records changed.
func (a *App) publishChange(id string, ids []int64) {
	ch := DatasetChange{Dataset: id}
	for _, rid := range ids {
		ch.IDs = append(ch.IDs, strconv.FormatInt(rid, 10))
	}
	a.Publish(Event{Topic: TopicDataset + id, Data: ch})
}
