// Package syncer is the replication driver: it compares two replicas'
// cursors, pulls what each lacks in bounded pages, and applies them. It is
// transport-agnostic.
//
// A pull reads both version vectors once, lists the ranges the destination
// lacks (oplog.PeerCursors.Missing), and copies each range page by page:
// one ReadSince from the source, a check that the page is the one asked
// for, one Apply (one transaction) on the destination. Nothing else is kept
// between pages, so a pull is safe to interrupt (what was applied stays,
// and the next pull starts from the destination's cursors) and safe to run
// concurrently with other pulls into the same destination (Apply skips the
// entries another one already applied, so each entry is applied once).
package syncer

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/idbsync/idbsync/core/oplog"
)

// DefaultPageSize bounds a page when Options.PageSize is zero.
const DefaultPageSize = 1000

// Options configure Sync and Pull. The zero value is ready to use.
type Options struct {
	PageSize int // entries per ReadSince/Apply; zero (or less) means DefaultPageSize
}

func (o Options) pageSize() uint64 {
	if o.PageSize <= 0 {
		return DefaultPageSize
	}
	return uint64(o.PageSize)
}

// Result is the outcome of Sync: entries newly applied to each side, and
// the peer ranges that failed while the others went on.
type Result struct {
	ToA, ToB int
	Errors   []*RangeError
}

// RangeError is the failure of one peer's range in one direction: a page
// that could not be read, was not the page asked for, or that the
// destination refused (a clock too far ahead, a forked history, an invalid
// entry). What the range applied before it stays applied; the other ranges
// and the other direction go on.
type RangeError struct {
	Side     string // the replica the entries were for: "a" or "b" (Sync), "dst" (Pull)
	Peer     uuid.UUID
	From, To uint64 // the range that was missing
	Err      error  // says which page and why
}

func (e *RangeError) Error() string { return e.Err.Error() }

// Unwrap returns the cause, so errors.Is(err, hlc.ErrClockSkew) and the
// like work through a RangeError.
func (e *RangeError) Unwrap() error { return e.Err }

// incomplete is the error of a pull or sync that did everything it could
// but some ranges failed: ErrIncomplete, and each RangeError.
func incomplete(errs []*RangeError) error {
	if len(errs) == 0 {
		return nil
	}
	all := make([]error, len(errs))
	for i, e := range errs {
		all[i] = e
	}
	return fmt.Errorf("%w: %w", ErrIncomplete, errors.Join(all...))
}

// Pull copies into dst every entry src has and dst lacks; it returns how
// many entries dst newly applied.
//
// What src lacks is fixed when Pull starts: entries src gains meanwhile
// wait for the next pull. Entries another pull applied to dst meanwhile are
// skipped and not counted. A range that fails (a page src cannot read, one
// that is not the page asked for (ErrBadPage; a batch that does not
// decode, oplog.ErrCorrupt), one dst refuses) stops that range only: Pull
// goes on with the others, and then returns what it applied with an error
// that is ErrIncomplete and each *RangeError (errors.Is and errors.As see
// through it). What was applied stays applied. When ctx ends between pages
// Pull stops there with ctx.Err(); when either side's cursors cannot be
// read it does nothing and says so. A *oplog.CursorMismatchError from dst's
// Apply (dst holds less of the peer than its cursors said) is retried once
// per range from cursors read again.
func Pull(ctx context.Context, dst, src Replica, opts Options) (int, error) {
	n, errs, err := puller{dst: dst, src: src, dstName: "dst", srcName: "src", size: opts.pageSize()}.run(ctx)
	if err != nil {
		return n, err
	}
	return n, incomplete(errs)
}

// Sync pulls both ways: a from b, then b from a, each with Pull's rules.
// Failed ranges of either direction are in Result.Errors and the error
// (ErrIncomplete); neither keeps the other direction from running. Only an
// error that stops a whole direction (an ended ctx, cursors that cannot be
// read) returns before the other has run.
func Sync(ctx context.Context, a, b Replica, opts Options) (Result, error) {
	var res Result
	size := opts.pageSize()
	n, errs, err := puller{dst: a, src: b, dstName: "a", srcName: "b", size: size}.run(ctx)
	res.ToA = n
	res.Errors = errs
	if err != nil {
		return res, err
	}
	n, errs, err = puller{dst: b, src: a, dstName: "b", srcName: "a", size: size}.run(ctx)
	res.ToB = n
	res.Errors = append(res.Errors, errs...)
	if err != nil {
		return res, err
	}
	return res, incomplete(res.Errors)
}

// puller is one pull; the names say which side an error concerns.
type puller struct {
	dst, src         Replica
	dstName, srcName string
	size             uint64
}

// run pulls every missing range; a range that fails is noted and the next
// one goes on. err is what stopped the whole pull.
func (p puller) run(ctx context.Context) (applied int, failed []*RangeError, err error) {
	if err := ctx.Err(); err != nil {
		return 0, nil, err
	}
	mine, err := p.dst.Cursors(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("syncer: cursors of %s: %w", p.dstName, err)
	}
	theirs, err := p.src.Cursors(ctx)
	if err != nil {
		return 0, nil, fmt.Errorf("syncer: cursors of %s: %w", p.srcName, err)
	}
	for _, r := range mine.Missing(theirs) {
		n, err := p.pullRange(ctx, r)
		applied += n
		if ctx.Err() != nil {
			return applied, failed, ctx.Err()
		}
		if err != nil {
			failed = append(failed, &RangeError{Side: p.dstName, Peer: r.Peer, From: r.From, To: r.To, Err: err})
		}
	}
	return applied, failed, nil
}

// pullRange copies r from src into dst, one page per transaction. The
// first page starts one entry early, at the last entry dst holds of the
// peer: dst compares it with its own, so two histories of one peer id (a
// peer id reused after its storage was lost) are found as a fork where
// they meet, instead of one being appended to the other.
func (p puller) pullRange(ctx context.Context, r oplog.Range) (int, error) {
	applied := 0
	retried := false
	apply := p.dst.Apply
	if a, ok := p.src.(Attesting); ok && a.Attests() {
		if aa, ok := p.dst.(AttestedApplier); ok {
			apply = aa.ApplyAttested
		}
	}
	next := r.From
	if next > 0 {
		next--
	}
	for next < r.To {
		if err := ctx.Err(); err != nil {
			return applied, err
		}
		limit := min(r.To-next, p.size)
		page, err := p.src.ReadSince(ctx, r.Peer, next, int(limit))
		if err != nil {
			return applied, fmt.Errorf("syncer: read peer %s [%d, %d) from %s: %w", r.Peer, next, next+limit, p.srcName, err)
		}
		entries, err := checkPage(page, r.Peer, next, limit)
		if err != nil {
			return applied, fmt.Errorf("syncer: page of peer %s [%d, %d) from %s: %w", r.Peer, next, next+limit, p.srcName, err)
		}
		n := uint64(len(entries))
		if carrier, ok := p.src.(BlobCarrier); ok {
			if sink, ok := p.dst.(BlobSink); ok {
				if err := carrier.CarryBlobs(ctx, entries, sink); err != nil {
					return applied, fmt.Errorf("syncer: blobs of peer %s [%d, %d) to %s: %w", r.Peer, next, next+n, p.dstName, err)
				}
			}
		}
		res, err := apply(ctx, page)
		var gap *oplog.CursorMismatchError
		if errors.As(err, &gap) && !retried {
			// dst holds less of the peer than its cursors said (a replica
			// restored from an older copy, a transport that cached them):
			// start again from where it stands now, once.
			retried = true
			now, err := p.dst.Cursors(ctx)
			if err != nil {
				return applied, fmt.Errorf("syncer: cursors of %s: %w", p.dstName, err)
			}
			next = now.Get(r.Peer)
			continue
		}
		if err != nil {
			return applied, fmt.Errorf("syncer: apply peer %s [%d, %d) to %s: %w", r.Peer, next, next+n, p.dstName, err)
		}
		applied += res.Applied
		next += n
	}
	return applied, nil
}

// checkPage decodes page and checks it is up to limit entries of peer at
// from, from+1, …; it returns them. The page is decoded only to check it
// (and to find the blobs it references): Apply gets the original bytes.
func checkPage(page []byte, peer uuid.UUID, from, limit uint64) ([]oplog.Entry, error) {
	entries, err := oplog.DecodeBatch(page)
	if err != nil {
		return nil, err
	}
	switch {
	case len(entries) == 0:
		return nil, fmt.Errorf("%w: no entries", ErrBadPage)
	case uint64(len(entries)) > limit:
		return nil, fmt.Errorf("%w: %d entries, asked for at most %d", ErrBadPage, len(entries), limit)
	}
	for i, e := range entries {
		want := from + uint64(i)
		switch {
		case e.Peer != peer:
			return nil, fmt.Errorf("%w: entry %d is of peer %s", ErrBadPage, i, e.Peer)
		case e.Idx != want && i == 0:
			return nil, fmt.Errorf("%w: it starts at index %d", ErrBadPage, e.Idx)
		case e.Idx != want:
			return nil, fmt.Errorf("%w: entry %d is index %d, want %d", ErrBadPage, i, e.Idx, want)
		}
	}
	return entries, nil
}
