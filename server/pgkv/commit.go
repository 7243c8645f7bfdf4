//go:build !js

package pgkv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/idbsync/idbsync/core/kv"
)

const (
	// attempts bounds the runs of a batch that deadlocked with another.
	attempts = 6
	// commitTimeout bounds the last round trip, which runs past the
	// caller's ctx: once COMMIT is sent, the outcome is reported.
	commitTimeout = time.Minute
	// resolveTimeout bounds the search for the outcome of a commit whose
	// connection was lost after COMMIT was sent.
	resolveTimeout = 30 * time.Second
)

// cellID names one key of one kv table.
type cellID struct {
	t int32
	k string
}

// cell is what a commit knows of one key the batch touches.
type cell struct {
	t   int32
	key []byte

	// read: the first op on the key reads it, so the lock phase takes it
	// and fills present and base (placeholder: absent, taken by our row).
	read, present, placeholder bool
	base                       []byte

	// written: an op of the batch wrote (deleted unless value != nil) it.
	written bool
	value   []byte

	// planned is the value the batch leaves, known before any read when
	// the key takes no Merge: checks pass or fail, they change nothing. A
	// placeholder holds it, so that the write phase need not write the key
	// again (an ingest's log rows are written once).
	planned []byte
}

// current is the key's value as the ops played so far leave it.
func (c *cell) current() (value []byte, found bool) {
	if c.written {
		return c.value, c.value != nil
	}
	return c.base, c.present
}

// plan is a batch resolved to table ids and cells, sorted by (table, key):
// the order every commit locks and writes in.
type plan struct {
	cells []*cell // sorted
	byOp  []*cell // the cell of each op
}

func (s *Store) newPlan(ctx context.Context, b *kv.Batch) (*plan, error) {
	ids := make(map[string]int32)
	for i, op := range b.Ops() {
		if _, ok := ids[op.Table]; ok {
			continue
		}
		id, err := s.tableID(ctx, op.Table)
		if err != nil {
			if errors.Is(err, kv.ErrUnknownTable) {
				return nil, &kv.OpError{Index: i, Kind: op.Kind, Table: op.Table, Key: bytes.Clone(op.Key), Err: err}
			}
			return nil, err
		}
		ids[op.Table] = id
	}
	p := &plan{byOp: make([]*cell, b.Len())}
	cells := make(map[cellID]*cell, b.Len())
	for i, op := range b.Ops() {
		id := cellID{ids[op.Table], string(op.Key)}
		c := cells[id]
		if c == nil {
			c = &cell{t: id.t, key: op.Key, read: op.Kind != kv.OpPut && op.Kind != kv.OpDelete}
			cells[id] = c
			p.cells = append(p.cells, c)
		}
		p.byOp[i] = c
		switch op.Kind {
		case kv.OpPut, kv.OpInsert:
			c.planned = op.Value
		case kv.OpDelete, kv.OpMerge:
			c.planned = nil
		}
	}
	slices.SortFunc(p.cells, func(a, b *cell) int {
		if a.t != b.t {
			return int(a.t) - int(b.t)
		}
		return bytes.Compare(a.key, b.key)
	})
	return p, nil
}

// reset forgets what an attempt learned, for the next one.
func (p *plan) reset() {
	for _, c := range p.cells {
		c.present, c.placeholder, c.base, c.written, c.value = false, false, nil, false, nil
	}
}

// Commit applies b all or nothing in one READ COMMITTED transaction (see
// the package doc for its locking).
func (s *Store) Commit(ctx context.Context, b *kv.Batch) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if err := b.Validate(); err != nil {
		return err
	}
	if b.Len() == 0 {
		return nil
	}
	p, err := s.newPlan(ctx, b)
	if err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		err := s.commitOnce(ctx, b, p)
		if err == nil || !retryable(err) || attempt == attempts {
			return mapError(ctx, err)
		}
		p.reset()
		// Jitter, so the two sides of a deadlock do not meet again.
		d := time.Duration(rand.Int64N(int64(5*time.Millisecond) << attempt))
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// commitOnce runs the batch once. Its error is the driver's or an
// *kv.OpError; Commit maps it.
func (s *Store) commitOnce(ctx context.Context, b *kv.Batch, p *plan) error {
	var c *pgx.Conn
	var xid string
	for try := 0; ; try++ {
		conn, reused, err := s.pool.acquire(ctx)
		if err != nil {
			return err
		}
		xid, err = s.lock(ctx, conn, p)
		if err == nil {
			c = conn
			break
		}
		if broken(conn, err) {
			// Nothing was committed; a stale idle connection (the server
			// restarted) earns one more try on a fresh one.
			s.pool.discard(conn)
			if reused && try == 0 && ctx.Err() == nil {
				continue
			}
			return err
		}
		s.rollback(conn)
		return err
	}

	if err := play(b, p); err != nil {
		s.rollback(c)
		return err
	}

	// From here on the outcome is reported whatever ctx does.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commitTimeout)
	defer cancel()
	err := s.write(wctx, c, p)
	switch {
	case err == nil:
		s.pool.release(c)
		return nil
	case !broken(c, err):
		// The server answered with an error: it did not commit.
		s.rollback(c)
		return err
	}
	pid := c.PgConn().PID()
	s.pool.discard(c)
	return s.resolve(wctx, xid, pid, err)
}

// lock begins the transaction, reads its id, and takes every read key of p:
// after it, each read cell is either present (row-locked, base is its
// value) or a placeholder (absent, held by our uncommitted row).
func (s *Store) lock(ctx context.Context, c *pgx.Conn, p *plan) (xid string, err error) {
	var pending []*cell
	for _, cl := range p.cells {
		if cl.read {
			pending = append(pending, cl)
		}
	}
	first := true
	for round := 0; first || len(pending) > 0; round++ {
		if round == 16 {
			// Every round, some key was deleted between the two statements:
			// a pathological churn; let the caller retry.
			return xid, &pgconn.PgError{Code: codeSerialization, Message: "pgkv: keys keep vanishing while locked"}
		}
		var batch pgx.Batch
		if first {
			batch.Queue("begin isolation level read committed")
			batch.Queue("select pg_current_xact_id()::text").QueryRow(func(row pgx.Row) error { return row.Scan(&xid) })
		}
		first = false
		if len(pending) > 0 {
			queueLock(&batch, &s.q, pending)
		}
		if err := c.SendBatch(ctx, &batch).Close(); err != nil {
			return xid, err
		}
		// A key neither found nor inserted was deleted by a transaction
		// that committed between our two statements: take it again.
		var again []*cell
		for _, cl := range pending {
			if !cl.present && !cl.placeholder {
				again = append(again, cl)
			}
		}
		pending = again
	}
	return xid, nil
}

// queueLock queues the two statements of the lock phase for cells (sorted).
func queueLock(batch *pgx.Batch, q *queries, cells []*cell) {
	byKey := make(map[cellID]*cell, len(cells))
	ts := make([]int32, len(cells))
	ks := make([][]byte, len(cells))
	vs := make([][]byte, len(cells))
	for i, cl := range cells {
		byKey[cellID{cl.t, string(cl.key)}] = cl
		ts[i], ks[i], vs[i] = cl.t, cl.key, cl.planned
		if vs[i] == nil {
			vs[i] = []byte{}
		}
	}
	batch.Queue(q.lockAbsent, ts, ks, vs).Query(func(rows pgx.Rows) error {
		var t int32
		var k []byte
		_, err := pgx.ForEachRow(rows, []any{&t, &k}, func() error {
			if cl := byKey[cellID{t, string(k)}]; cl != nil {
				cl.placeholder = true
			}
			return nil
		})
		return err
	})
	for lo := 0; lo < len(cells); {
		hi := lo
		var keys [][]byte
		for hi < len(cells) && cells[hi].t == cells[lo].t {
			keys = append(keys, cells[hi].key)
			hi++
		}
		t := cells[lo].t
		batch.Queue(q.lockPresent, t, keys).Query(func(rows pgx.Rows) error {
			var k, v []byte
			_, err := pgx.ForEachRow(rows, []any{&k, &v}, func() error {
				// Our own placeholders are found too: they stay absent.
				if cl := byKey[cellID{t, string(k)}]; cl != nil && !cl.placeholder {
					cl.present, cl.base = true, nonNil(v)
				}
				return nil
			})
			return err
		})
		lo = hi
	}
}

// play runs the ops of b in order against the cells, as memkv does against
// its tables, and fails on the first op that does not hold.
func play(b *kv.Batch, p *plan) error {
	for i, op := range b.Ops() {
		c := p.byOp[i]
		cur, found := c.current()
		var fail error
		switch op.Kind {
		case kv.OpPut:
			c.written, c.value = true, op.Value
		case kv.OpInsert:
			if found {
				fail = kv.ErrUniqueViolation
				break
			}
			c.written, c.value = true, op.Value
		case kv.OpDelete:
			c.written, c.value = true, nil
		case kv.OpExpect:
			if !found || !bytes.Equal(cur, op.Value) {
				fail = kv.ErrConflict
			}
		case kv.OpExpectAbsent:
			if found {
				fail = kv.ErrConflict
			}
		case kv.OpMerge:
			var old []byte
			if found {
				old = bytes.Clone(cur)
			}
			v, write, err := op.Merge(old, found)
			switch {
			case err != nil:
				fail = err
			case write:
				c.written, c.value = true, nonNil(v)
			}
		}
		if fail != nil {
			return &kv.OpError{Index: i, Kind: op.Kind, Table: op.Table, Key: bytes.Clone(op.Key), Err: fail}
		}
	}
	return nil
}

// write sends the batch's effect and COMMIT in one round trip.
func (s *Store) write(ctx context.Context, c *pgx.Conn, p *plan) error {
	var ts []int32
	var ks, vs [][]byte
	var batch pgx.Batch
	var del [][]byte
	flushDel := func(t int32) {
		if len(del) > 0 {
			batch.Queue(s.q.delete, t, del)
			del = nil
		}
	}
	for i, cl := range p.cells {
		if i > 0 && cl.t != p.cells[i-1].t {
			flushDel(p.cells[i-1].t)
		}
		switch {
		case cl.placeholder && cl.written && cl.value != nil && cl.planned != nil && bytes.Equal(cl.value, cl.planned):
			// The placeholder already holds it.
		case cl.written && cl.value != nil:
			ts, ks, vs = append(ts, cl.t), append(ks, cl.key), append(vs, cl.value)
		case cl.written && (cl.present || cl.placeholder || !cl.read), !cl.written && cl.placeholder:
			del = append(del, cl.key)
		}
	}
	if n := len(p.cells); n > 0 {
		flushDel(p.cells[n-1].t)
	}
	if len(ts) > 0 {
		batch.Queue(s.q.upsert, ts, ks, vs)
	}
	var tag pgconn.CommandTag
	batch.Queue("commit").Exec(func(ct pgconn.CommandTag) error { tag = ct; return nil })
	if err := c.SendBatch(ctx, &batch).Close(); err != nil {
		return err
	}
	if tag.String() != "COMMIT" {
		// PostgreSQL answers a COMMIT of a failed transaction with
		// ROLLBACK; an earlier statement would have reported the error.
		return fmt.Errorf("pgkv: commit answered %q", tag.String())
	}
	return nil
}

// rollback ends c's transaction and gives c back, or drops it when even
// that fails.
func (s *Store) rollback(c *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Exec(ctx, "rollback"); err != nil {
		s.pool.discard(c)
		return
	}
	s.pool.release(c)
}

// resolve finds out whether transaction xid committed after its connection
// (backend pid) was lost with the COMMIT in flight: nil if it did, an error
// wrapping kv.ErrAborted if it did not or if PostgreSQL cannot tell us in
// time. A session still in progress is ended first, so that it cannot
// commit later.
func (s *Store) resolve(ctx context.Context, xid string, pid uint32, cause error) error {
	ctx, cancel := context.WithTimeout(ctx, resolveTimeout)
	defer cancel()
	delay := 50 * time.Millisecond
	for {
		status, err := s.xactStatus(ctx, xid, pid)
		switch {
		case err == nil && status == "committed":
			return nil
		case err == nil && status == "aborted":
			return fmt.Errorf("%w: connection lost at commit, transaction rolled back: %w", kv.ErrAborted, cause)
		case err == nil && status != "in progress":
			return fmt.Errorf("%w: connection lost at commit, outcome unknown (status %q): %w", kv.ErrAborted, status, cause)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: connection lost at commit, outcome unknown: %w", kv.ErrAborted, cause)
		case <-time.After(delay):
		}
		delay = min(2*delay, time.Second)
	}
}

// xactStatus asks a fresh connection (outside the pool, which may be full)
// for the status of xid, terminating its backend if it is still running.
func (s *Store) xactStatus(ctx context.Context, xid string, pid uint32) (string, error) {
	c, err := pgx.ConnectConfig(ctx, s.pool.cfg)
	if err != nil {
		return "", err
	}
	defer closeConn(c)
	var status *string
	if err := c.QueryRow(ctx, `select pg_xact_status($1::xid8)`, xid).Scan(&status); err != nil {
		return "", err
	}
	if status == nil {
		return "unknown", nil
	}
	if *status == "in progress" {
		_, err := c.Exec(ctx, `select pg_terminate_backend(pid) from pg_stat_activity
			where pid = $1 and backend_xid = ($2::xid8)::xid`, int32(pid), xid)
		return *status, err
	}
	return *status, nil
}
