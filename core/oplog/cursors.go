package oplog

import (
	"bytes"
	"maps"
	"sort"

	"github.com/google/uuid"
)

// PeerCursors maps each peer to the next index a replica expects from it:
// the version vector replicas compare. An absent peer is at 0.
type PeerCursors map[uuid.UUID]uint64

// Get returns the cursor of peer (0 when absent).
func (c PeerCursors) Get(peer uuid.UUID) uint64 { return c[peer] }

// Clone returns an independent copy.
func (c PeerCursors) Clone() PeerCursors {
	if c == nil {
		return PeerCursors{}
	}
	return maps.Clone(c)
}

// Merge raises every cursor of c to at least the one in other (pointwise
// max); c must not be nil (start from PeerCursors{} or Clone). Merging is commutative, associative and idempotent, so consumers of
// lossy cursor streams can merge whatever reaches them.
func (c PeerCursors) Merge(other PeerCursors) {
	for p, n := range other {
		if n > c[p] {
			c[p] = n
		}
	}
}

// Order is how two version vectors compare.
type Order int

// The results of Compare.
const (
	Equal      Order = iota // the same entries
	Behind                  // c lacks entries other has, and has none other lacks
	Ahead                   // other lacks entries c has, and has none c lacks
	Concurrent              // each has entries the other lacks
)

func (o Order) String() string {
	return [...]string{"equal", "behind", "ahead", "concurrent"}[o]
}

// Compare orders c against other.
func (c PeerCursors) Compare(other PeerCursors) Order {
	behind, ahead := false, false
	for p, n := range other {
		if n > c[p] {
			behind = true
		}
	}
	for p, n := range c {
		if n > other[p] {
			ahead = true
		}
	}
	switch {
	case behind && ahead:
		return Concurrent
	case behind:
		return Behind
	case ahead:
		return Ahead
	}
	return Equal
}

// Range is the indexes [From, To) of one peer's log.
type Range struct {
	Peer     uuid.UUID
	From, To uint64
}

// Len returns the number of indexes in r.
func (r Range) Len() uint64 { return r.To - r.From }

// Missing returns the ranges c lacks and theirs has, one per peer, ordered
// by peer id: what to pull from the replica whose cursors are theirs.
func (c PeerCursors) Missing(theirs PeerCursors) []Range {
	var out []Range
	for p, n := range theirs {
		if mine := c[p]; n > mine {
			out = append(out, Range{Peer: p, From: mine, To: n})
		}
	}
	// sort.Slice, not slices.Sort: slices sorting one more element type adds a
	// pdqsort family (~16 KB) to dist/idbsync.wasm (bench/size/README.md, win 4).
	sort.Slice(out, func(i, j int) bool { return bytes.Compare(out[i].Peer[:], out[j].Peer[:]) < 0 })
	return out
}
