package changelog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/idbsync/idbsync/core/kv"
)

// Claims: how an instance finds dead ones and takes over their entries.

// Instance is what a log knows of another instance.
type Instance struct {
	ID        uuid.UUID
	Epoch     uint64
	Heartbeat time.Time
	ClaimedBy uuid.UUID // uuid.Nil while unclaimed
	Dead      bool      // its lock is free, or its heartbeat expired
}

// Instances lists every instance row but this one's.
func (d *Durable) Instances(ctx context.Context) ([]Instance, error) {
	if err := d.checkOpen(); err != nil {
		return nil, err
	}
	rows, err := d.store.Scan(ctx, d.instances, kv.Range{})
	if err != nil {
		return nil, err
	}
	now := d.opts.Now()
	self, _ := d.self()
	var out []Instance
	for _, r := range rows {
		var rec instanceRecord
		if _, err := rec.UnmarshalMsg(r.Value); err != nil || len(r.Key) != 16 {
			return nil, fmt.Errorf("%w: instance row %x", ErrCorrupt, r.Key)
		}
		id := uuid.UUID(r.Key)
		if id == self {
			continue
		}
		out = append(out, d.describe(ctx, id, &rec, now))
	}
	return out, nil
}

// describe is what the row rec of instance id says at now.
func (d *Durable) describe(ctx context.Context, id uuid.UUID, rec *instanceRecord, now time.Time) Instance {
	in := Instance{ID: id, Epoch: rec.Epoch, Heartbeat: time.UnixMilli(rec.Heartbeat).UTC()}
	if len(rec.ClaimedBy) == 16 {
		in.ClaimedBy = uuid.UUID(rec.ClaimedBy)
	}
	in.Dead = now.Sub(in.Heartbeat) > d.opts.Expiry
	if d.opts.LockHeld != nil {
		if held, known := d.opts.LockHeld(ctx, id); known {
			in.Dead = !held
		}
	}
	return in
}

// Claim takes over the dead instance id: in one batch it expects the dead
// instance's row unchanged, bumps its epoch and marks it claimed, and moves
// its entries under this instance. It returns how many entries it took. Of
// two instances claiming one at once exactly one wins; the other gets
// kv.ErrConflict. A live instance is ErrAlive.
func (d *Durable) Claim(ctx context.Context, id uuid.UUID) (int, error) {
	if err := d.checkOpen(); err != nil {
		return 0, err
	}
	if self, _ := d.self(); id == self {
		return 0, fmt.Errorf("changelog: instance %s cannot claim itself", id)
	}
	// Decide from the row the batch below expects, read once: a beat or a
	// claim after this read makes the claim fail, never overwrite. (Judging
	// from an earlier read, a claim could take a live instance that beat in
	// between, or "win" one another recoverer had just claimed, with 0
	// entries.)
	old, err := d.store.Get(ctx, d.instances, id[:])
	if errors.Is(err, kv.ErrNotFound) {
		// Never registered, or claimed and swept: nothing to take.
		return 0, fmt.Errorf("%w: no instance %s", kv.ErrConflict, id)
	}
	if err != nil {
		return 0, err
	}
	var rec instanceRecord
	if _, err := rec.UnmarshalMsg(old); err != nil {
		return 0, fmt.Errorf("%w: instance row %s", ErrCorrupt, id)
	}
	switch target := d.describe(ctx, id, &rec, d.opts.Now()); {
	case target.ClaimedBy != uuid.Nil:
		return 0, fmt.Errorf("%w: instance %s was claimed by %s", kv.ErrConflict, id, target.ClaimedBy)
	case !target.Dead:
		return 0, fmt.Errorf("%w: instance %s", ErrAlive, id)
	}
	rec.Epoch++
	rows, err := d.store.Scan(ctx, d.changes, kv.Prefix(id[:]))
	if err != nil {
		return 0, err
	}
	var b kv.Batch
	err = d.commit(ctx, func(self uuid.UUID, b *kv.Batch) error {
		rec.ClaimedBy = self[:]
		bumped, _ := rec.MarshalMsg(nil)
		b.Expect(d.instances, id[:], old)
		b.Put(d.instances, id[:], bumped)
		// Each entry must still be as read: the dead instance, if only
		// paused, can replace or remove one without changing its row.
		return d.moveEntries(self, b, rows, true)
	}, &b)
	if err != nil {
		return 0, err
	}
	// An entry the instance recorded after the scan above is not in the
	// batch, and its commit did not change the row the batch expected.
	// The claim fenced the instance: nothing can be added to its range
	// now, so one more pass moves whatever is left.
	rest, err := d.store.Scan(ctx, d.changes, kv.Prefix(id[:]))
	if err != nil || len(rest) == 0 {
		return len(rows), err
	}
	b = kv.Batch{}
	err = d.commit(ctx, func(self uuid.UUID, b *kv.Batch) error {
		return d.moveEntries(self, b, rest, false)
	}, &b)
	if err != nil {
		return len(rows), err
	}
	return len(rows) + len(rest), nil
}

// moveEntries adds to b the moves of rows (change rows of another
// instance) under self, expecting each unchanged if expect.
func (d *Durable) moveEntries(self uuid.UUID, b *kv.Batch, rows []kv.Pair, expect bool) error {
	for _, r := range rows {
		e, err := decodeEntry(r.Key, r.Value)
		if err != nil {
			return err
		}
		if expect {
			b.Expect(d.changes, r.Key, r.Value)
		}
		b.Delete(d.changes, r.Key)
		b.Put(d.changes, d.entryKey(self, e.ID), r.Value)
	}
	return nil
}

// ClaimDead claims every dead, unclaimed instance; a claim lost to another
// recoverer is skipped. It also sweeps instances already claimed, by this
// instance or by one that is itself gone or dead, whose claim left entries
// behind (a claimer that crashed between its two passes): it moves them,
// and deletes the row of a claimed instance with no entries left. It
// returns how many entries it took.
func (d *Durable) ClaimDead(ctx context.Context) (int, error) {
	ins, err := d.Instances(ctx)
	if err != nil {
		return 0, err
	}
	dead := make(map[uuid.UUID]bool, len(ins))
	for _, in := range ins {
		dead[in.ID] = in.Dead
	}
	self, _ := d.self()
	total := 0
	for _, in := range ins {
		var n int
		switch {
		case in.ClaimedBy == uuid.Nil && in.Dead:
			n, err = d.Claim(ctx, in.ID)
		case in.ClaimedBy == self, in.ClaimedBy != uuid.Nil && (dead[in.ClaimedBy] || !slices.ContainsFunc(ins, func(o Instance) bool { return o.ID == in.ClaimedBy })):
			n, err = d.finishClaim(ctx, in.ID)
		default:
			continue
		}
		switch {
		case errors.Is(err, kv.ErrConflict), errors.Is(err, ErrAlive):
			continue // another recoverer won, or it came back to life
		case err != nil:
			return total, err
		}
		total += n
	}
	return total, nil
}

// finishClaim moves what is left under the claimed instance id to this
// one, or deletes its row when nothing is left. The instance is fenced
// already.
func (d *Durable) finishClaim(ctx context.Context, id uuid.UUID) (int, error) {
	row, err := d.store.Get(ctx, d.instances, id[:])
	if errors.Is(err, kv.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	rows, err := d.store.Scan(ctx, d.changes, kv.Prefix(id[:]))
	if err != nil {
		return 0, err
	}
	var b kv.Batch
	err = d.commit(ctx, func(self uuid.UUID, b *kv.Batch) error {
		b.Expect(d.instances, id[:], row)
		if len(rows) == 0 {
			b.Delete(d.instances, id[:])
		}
		return d.moveEntries(self, b, rows, true)
	}, &b)
	if err != nil {
		return 0, err
	}
	return len(rows), nil
}
