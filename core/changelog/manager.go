package changelog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/idbsync/idbsync/core/kv"
)

// phase is where a large write stands, as its guard tracks it.
type phase int

// The phases of a large write.
const (
	recorded  phase = iota + 1 // the change is in the log; no side effect yet
	written                    // the new blob is complete
	updated                    // the reference points at the new value
	lost                       // another writer changed the reference first
	completed                  // cleanup done and the entry removed
)

var phaseNames = [...]string{recorded: "recorded", written: "written", updated: "updated", lost: "lost", completed: "completed"}

func (p phase) String() string {
	if p > 0 && int(p) < len(phaseNames) {
		return phaseNames[p]
	}
	return fmt.Sprintf("phase(%d)", int(p))
}

// Step names a point of a large write where ManagerOptions.Hook runs.
type Step string

// The hook points, in the order a large write passes them.
const (
	StepRecorded     Step = "recorded"      // the change is durable in the log
	StepWritten      Step = "written"       // the new blob is complete
	StepCASCommitted Step = "cas-committed" // the reference CAS committed; its answer not yet seen
	StepDeleted      Step = "deleted"       // cleanup deleted one blob
	StepBeforeRemove Step = "before-remove" // cleanup is done; the entry is not yet removed
)

// DefaultInlineMax is the largest value a Manager keeps inline.
const DefaultInlineMax = 16 << 10

// ManagerOptions configure NewManager. The zero value is ready to use.
type ManagerOptions struct {
	// Prefix names the reference table (<prefix>/refs); empty means
	// DefaultPrefix.
	Prefix string
	// InlineMax is the largest value stored inline in the reference tier;
	// zero means DefaultInlineMax.
	InlineMax int
	// Hook, when set, runs at each Step of a large write; an error stops the
	// write right there, as a crash would (tests inject faults with it),
	// except at StepCASCommitted, where it stands for a lost answer: the
	// write then cleans up by reading the reference tier and returns it.
	Hook func(step Step, object string) error
	// SweepRounds is how often RunRecovery also sweeps the blob tier: with
	// its first round, then every SweepRounds rounds; zero means
	// DefaultSweepRounds.
	SweepRounds int
	// AfterSweep, when set, runs after each Sweep of RunRecovery (the
	// engine collects attachments nothing references there); its error
	// fails the round like the Sweep's.
	AfterSweep func(ctx context.Context) error
}

// DefaultSweepRounds makes RunRecovery sweep every 60 rounds (10 minutes
// at changelog.DefaultInterval): a sweep lists every blob revision.
const DefaultSweepRounds = 60

// Manager writes objects whose values may be large: small values go inline
// in the reference tier in one batch; large ones go to the blob tier under
// a fresh revision, guarded by the change log so that no crash leaves an
// orphaned blob or a dangling reference.
type Manager struct {
	store   kv.Store
	log     Log
	pending PendingLister
	blobs   BlobStore
	revs    RevisionLister
	claimer Claimer // nil: the log has no instances to claim
	refs    string
	opts    ManagerOptions
	commit  func(context.Context, *kv.Batch) error

	mu       sync.Mutex
	inFlight map[ID]bool // this manager's writes in progress: not recovery's to clean
	lastErr  error       // of RunRecovery's last round
}

// LastError returns the error of RunRecovery's last round (after its
// retries), nil when it succeeded or none ran: recovery runs in the
// background, and this is how its failures are seen.
func (m *Manager) LastError() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lastErr
}

// noteRecovery keeps err as the outcome of the last round.
func (m *Manager) noteRecovery(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lastErr = err
}

// NewManager returns a Manager over the reference tier in store, the log
// and the blob tier. log must be a PendingLister and blobs a
// RevisionLister (ErrMissingCapability otherwise); when log is a Fencer,
// every reference update is fenced by its instance, and when it is a
// Claimer, Recover claims dead instances first.
func NewManager(ctx context.Context, store kv.Store, log Log, blobs BlobStore, opts ManagerOptions) (*Manager, error) {
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if opts.InlineMax <= 0 {
		opts.InlineMax = DefaultInlineMax
	}
	pending, ok := log.(PendingLister)
	if !ok {
		return nil, fmt.Errorf("%w: the log %T cannot list pending changes (PendingLister), so a sweep could delete a write in flight", ErrMissingCapability, log)
	}
	revs, ok := blobs.(RevisionLister)
	if !ok {
		return nil, fmt.Errorf("%w: the blob store %T cannot list its revisions (RevisionLister), so orphans could never be swept", ErrMissingCapability, blobs)
	}
	m := &Manager{
		store: store, log: log, pending: pending, blobs: blobs, revs: revs,
		refs: opts.Prefix + "/refs", opts: opts,
		commit: store.Commit, inFlight: make(map[ID]bool),
	}
	if f, ok := log.(Fencer); ok {
		m.commit = f.CommitFenced
	}
	m.claimer, _ = log.(Claimer)
	if err := store.CreateTables(ctx, m.refs); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Manager) hook(step Step, object string) error {
	if m.opts.Hook == nil {
		return nil
	}
	return m.opts.Hook(step, object)
}

// ref reads the reference of object: its raw row (nil when absent) and
// what it says.
func (m *Manager) ref(ctx context.Context, object string) ([]byte, refRecord, error) {
	var rec refRecord
	raw, err := m.store.Get(ctx, m.refs, []byte(object))
	if errors.Is(err, kv.ErrNotFound) {
		return nil, rec, nil
	}
	if err != nil {
		return nil, rec, err
	}
	if _, err := rec.UnmarshalMsg(raw); err != nil {
		return nil, rec, fmt.Errorf("%w: reference of %q: %v", ErrCorrupt, object, err)
	}
	return raw, rec, nil
}

// Referenced returns the blob revisions the reference tier points to, one
// per object whose value is not inline. With a BlobStore's own list of
// revisions it shows what recovery has yet to collect.
func (m *Manager) Referenced(ctx context.Context) ([]Revision, error) {
	rows, err := m.store.Scan(ctx, m.refs, kv.Range{})
	if err != nil {
		return nil, err
	}
	var out []Revision
	for _, row := range rows {
		var rec refRecord
		if _, err := rec.UnmarshalMsg(row.Value); err != nil {
			return nil, fmt.Errorf("%w: reference of %q: %v", ErrCorrupt, row.Key, err)
		}
		if len(rec.Rev) == 0 {
			continue
		}
		rev, err := revFrom(rec.Rev)
		if err != nil {
			return nil, fmt.Errorf("%w: reference of %q: %v", ErrCorrupt, row.Key, err)
		}
		out = append(out, rev)
	}
	return out, nil
}

// Has tells whether object has a value (inline, or a blob reference).
func (m *Manager) Has(ctx context.Context, object string) (bool, error) {
	if err := checkObject(object); err != nil {
		return false, err
	}
	raw, _, err := m.ref(ctx, object)
	return raw != nil, err
}

// Objects returns the names of the objects with a value whose names start
// with prefix, ascending.
func (m *Manager) Objects(ctx context.Context, prefix string) ([]string, error) {
	p := []byte(prefix)
	rows, err := m.store.Scan(ctx, m.refs, kv.Range{Start: p, End: kv.PrefixEnd(p)})
	if err != nil {
		return nil, err
	}
	out := make([]string, len(rows))
	for i, row := range rows {
		out[i] = string(row.Key)
	}
	return out, nil
}

// Get returns the value of object, or ErrNotFound when it has none or its
// blob is missing.
func (m *Manager) Get(ctx context.Context, object string) ([]byte, error) {
	if err := checkObject(object); err != nil {
		return nil, err
	}
	for {
		raw, rec, err := m.ref(ctx, object)
		switch {
		case err != nil:
			return nil, err
		case raw == nil:
			return nil, ErrNotFound
		case len(rec.Rev) == 0:
			return nonNil(rec.Inline), nil
		}
		rev, err := revFrom(rec.Rev)
		if err != nil {
			return nil, fmt.Errorf("%w: reference of %q: %v", ErrCorrupt, object, err)
		}
		data, err := m.blobs.Get(ctx, rev)
		if !errors.Is(err, ErrNotFound) {
			return data, err
		}
		// The blob is gone: either the reference dangles, or a writer
		// replaced it since it was read here and deleted the old blob.
		// Revisions are never reused, so an unchanged row means the former.
		again, _, err := m.ref(ctx, object)
		if err != nil {
			return nil, err
		}
		if bytes.Equal(again, raw) {
			return nil, ErrNotFound
		}
	}
}

// Put sets the value of object. Losing a race to a concurrent writer is not
// an error: the last writer wins.
func (m *Manager) Put(ctx context.Context, object string, data []byte) error {
	return m.write(ctx, object, data, false)
}

// Delete removes object; a missing object is fine.
func (m *Manager) Delete(ctx context.Context, object string) error {
	return m.write(ctx, object, nil, true)
}

func checkObject(object string) error {
	if err := kv.CheckKey([]byte(object)); err != nil {
		return fmt.Errorf("changelog: object name: %w", err)
	}
	return nil
}

func (m *Manager) write(ctx context.Context, object string, data []byte, del bool) error {
	if err := checkObject(object); err != nil {
		return err
	}
	raw, cur, err := m.ref(ctx, object)
	if err != nil {
		return err
	}
	old, err := revFrom(cur.Rev)
	if err != nil {
		return fmt.Errorf("%w: reference of %q: %v", ErrCorrupt, object, err)
	}
	var next *refRecord // nil: delete the reference
	var rev Revision
	switch {
	case del:
	case len(data) <= m.opts.InlineMax:
		next = &refRecord{Inline: nonNil(data)}
	default:
		if rev, err = NewRevision(); err != nil {
			return err
		}
		next = &refRecord{Rev: rev[:]}
	}
	if rev.IsZero() && old.IsZero() {
		// No blob on either side: one compare-and-set, nothing to log.
		err := m.cas(ctx, object, raw, next)
		if errors.Is(err, kv.ErrConflict) || errors.Is(err, kv.ErrUniqueViolation) {
			return nil // another writer came later: it wins
		}
		return err
	}

	id, err := NewID()
	if err != nil {
		return err
	}
	c := Change{Object: object, New: rev, Old: old}
	m.track(id, true)
	defer m.track(id, false)
	g := guard{phase: recorded}
	if err := m.log.Record(ctx, id, c); err != nil {
		return err
	}
	if err := m.hook(StepRecorded, object); err != nil {
		return err
	}
	if !rev.IsZero() {
		if err := m.blobs.Put(ctx, rev, data); err != nil {
			// Nothing references a fresh revision: drop what was written
			// (recovery may already have removed the entry, if this
			// instance was claimed meanwhile).
			return errors.Join(err, m.blobs.Delete(ctx, rev))
		}
		g.to(written)
		if err := m.hook(StepWritten, object); err != nil {
			return err
		}
	}
	switch err := m.cas(ctx, object, raw, next); {
	case err == nil:
		g.to(updated)
	case errors.Is(err, kv.ErrConflict), errors.Is(err, kv.ErrUniqueViolation):
		g.to(lost)
	case errors.Is(err, ErrFenced):
		// The claimer owns the entry now, but its recovery may have run
		// before this write's blob was (completely) written: the fenced
		// CAS left the new revision unreferenced, so delete it here.
		if !rev.IsZero() {
			if derr := m.blobs.Delete(ctx, rev); derr != nil {
				return errors.Join(err, derr)
			}
		}
		return err
	default:
		// The outcome is unknown (the answer was lost): cleanup reads the
		// reference tier and deletes whichever blob it does not point at,
		// which is right whichever way the CAS went.
		if cerr := m.cleanup(ctx, id, c); cerr != nil {
			return errors.Join(err, cerr)
		}
		return err
	}
	if err := m.cleanup(ctx, id, c); err != nil {
		if errors.Is(err, ErrFenced) {
			// The CAS committed, so the write is done: the instance that
			// claimed this one owns the entry and finishes the cleanup.
			return nil
		}
		return err
	}
	g.to(completed)
	return nil
}

// guard tracks a large write's phase; it panics on a transition the write
// must never make, which would be a bug here, not a fault outside.
type guard struct{ phase phase }

var transitions = map[phase][]phase{
	recorded: {written, updated, lost},
	written:  {updated, lost},
	updated:  {completed},
	lost:     {completed},
}

func (g *guard) to(p phase) {
	for _, ok := range transitions[g.phase] {
		if ok == p {
			g.phase = p
			return
		}
	}
	panic(fmt.Sprintf("changelog: write moved from %s to %s", g.phase, p))
}

// cas replaces the reference of object, expected to be raw (nil: absent),
// with next (nil: none), fenced when the log is a Durable.
func (m *Manager) cas(ctx context.Context, object string, raw []byte, next *refRecord) error {
	key := []byte(object)
	var b kv.Batch
	if raw == nil {
		b.ExpectAbsent(m.refs, key)
	} else {
		b.Expect(m.refs, key, raw)
	}
	if next == nil {
		b.Delete(m.refs, key)
	} else {
		v, err := next.MarshalMsg(nil)
		if err != nil {
			return err
		}
		b.Put(m.refs, key, v)
	}
	if err := m.commit(ctx, &b); err != nil {
		return err
	}
	return m.hook(StepCASCommitted, object)
}

// cleanup deletes whichever of c's blobs the reference tier does not point
// at, then removes the entry. It reads only the reference tier and never
// writes it: every step is idempotent and may run again after a crash.
func (m *Manager) cleanup(ctx context.Context, id ID, c Change) error {
	_, cur, err := m.ref(ctx, c.Object)
	if err != nil {
		return err
	}
	current, err := revFrom(cur.Rev)
	if err != nil {
		return fmt.Errorf("%w: reference of %q: %v", ErrCorrupt, c.Object, err)
	}
	for _, r := range []Revision{c.New, c.Old} {
		if r.IsZero() || r == current {
			continue
		}
		if err := m.blobs.Delete(ctx, r); err != nil {
			return err
		}
		if err := m.hook(StepDeleted, c.Object); err != nil {
			return err
		}
	}
	if err := m.hook(StepBeforeRemove, c.Object); err != nil {
		return err
	}
	return m.log.Remove(ctx, id)
}

func (m *Manager) track(id ID, on bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if on {
		m.inFlight[id] = true
	} else {
		delete(m.inFlight, id)
	}
}

func (m *Manager) busy(id ID) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.inFlight[id]
}

// Recover claims dead instances (when the log is a *Durable), then cleans
// up every outstanding entry not in progress here. It returns how many it
// cleaned. It only collects garbage: it never replays a write.
func (m *Manager) Recover(ctx context.Context) (n int, err error) {
	var claimErr error
	defer func() { err = errors.Join(err, claimErr) }()
	if m.claimer != nil {
		// A claim that fails (a corrupt row, say) must not keep this
		// instance from cleaning its own entries: report it after.
		_, claimErr = m.claimer.ClaimDead(ctx)
	}
	entries, err := m.log.Scan(ctx)
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		if m.busy(e.ID) {
			continue
		}
		if err := m.cleanup(ctx, e.ID, e.Change); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Sweep deletes the blob revisions that no reference points to and no
// outstanding change of any instance names, and returns how many. Recovery
// cannot find those by the log: an instance claimed while it wrote a blob
// (paused, its heartbeat lapsed) finds its writes fenced, and if it then
// crashes before dropping the blob, nothing names it. Sweep lists the
// revisions first, then the changes, then the references: a blob that
// exists was recorded before its first chunk, so a write in flight is named
// by its change, and one that completed is referenced or garbage; a last
// listing leaves out what a write that completed meanwhile deleted itself.
func (m *Manager) Sweep(ctx context.Context) (n int, err error) {
	revs, err := m.revs.Revisions(ctx)
	if err != nil || len(revs) == 0 {
		return 0, err
	}
	pending, err := m.pending.Pending(ctx)
	if err != nil {
		return 0, err
	}
	refs, err := m.Referenced(ctx)
	if err != nil {
		return 0, err
	}
	keep := make(map[Revision]bool, len(pending)*2+len(refs))
	for _, e := range pending {
		keep[e.Change.New], keep[e.Change.Old] = true, true
	}
	for _, r := range refs {
		keep[r] = true
	}
	// A write that finished meanwhile deleted the blob it replaced, and
	// removed its change: that blob is no orphan of ours to count. Only
	// what is still there after the references were read is swept.
	still, err := m.revs.Revisions(ctx)
	if err != nil {
		return 0, err
	}
	there := make(map[Revision]bool, len(still))
	for _, r := range still {
		there[r] = true
	}
	for _, r := range revs {
		if keep[r] || !there[r] {
			continue
		}
		if err := m.blobs.Delete(ctx, r); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// RunRecovery runs Recover now and then every interval until ctx ends,
// with a Sweep after the first round and every ManagerOptions.SweepRounds
// rounds. A failed round is tried up to five times with growing, jittered
// waits before the loop waits for the next interval; LastError tells how
// the last round ended. after is the timer (nil: time.After).
func (m *Manager) RunRecovery(ctx context.Context, interval time.Duration, after func(time.Duration) <-chan time.Time) {
	if after == nil {
		after = time.After
	}
	every := m.opts.SweepRounds
	if every <= 0 {
		every = DefaultSweepRounds
	}
	for round := 0; ; round++ {
		var err error
		for try := range 5 {
			if try > 0 {
				wait := time.Duration(50<<(try-1))*time.Millisecond + rand.N(50*time.Millisecond)
				select {
				case <-ctx.Done():
					return
				case <-after(wait):
				}
			}
			_, err = m.Recover(ctx)
			if err == nil && round%every == 0 {
				_, err = m.Sweep(ctx)
				if err == nil && m.opts.AfterSweep != nil {
					err = m.opts.AfterSweep(ctx)
				}
			}
			if err == nil || ctx.Err() != nil {
				break
			}
		}
		if ctx.Err() != nil {
			return
		}
		m.noteRecovery(err)
		select {
		case <-ctx.Done():
			return
		case <-after(interval):
		}
	}
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
