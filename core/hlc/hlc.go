// Package hlc is the hybrid logical clock of idbsync: timestamps that follow
// wall time when it moves forward and a counter when it does not, so every
// timestamp a replica issues is greater than every one it has issued or seen.
package hlc

import (
	"fmt"
	"sync"
	"time"
)

// Timestamp packs 48 bits of Unix wall milliseconds and a 16-bit counter
// into a uint64 (wall << 16 | counter); timestamps order as integers.
type Timestamp uint64

const (
	counterBits = 16
	// MaxWall is the largest wall-millisecond value a Timestamp holds
	// (year 10889).
	MaxWall = 1<<48 - 1
	// MaxCounter is the largest counter value.
	MaxCounter = 1<<counterBits - 1
)

// DefaultMaxSkew is how far ahead of the local wall clock a remote
// timestamp may be before Observe rejects it.
const DefaultMaxSkew = 60 * time.Second

// New returns the timestamp of wall milliseconds and counter, or
// ErrWallOverflow when wall needs more than 48 bits.
func New(wall uint64, counter uint16) (Timestamp, error) {
	if wall > MaxWall {
		return 0, fmt.Errorf("%w: %d ms", ErrWallOverflow, wall)
	}
	return Timestamp(wall<<counterBits | uint64(counter)), nil
}

// Wall returns the wall-clock part, in Unix milliseconds.
func (t Timestamp) Wall() uint64 { return uint64(t) >> counterBits }

// Counter returns the logical counter part.
func (t Timestamp) Counter() uint16 { return uint16(t) }

// Time returns the wall-clock part as a time.Time.
func (t Timestamp) Time() time.Time { return time.UnixMilli(int64(t.Wall())).UTC() }

// String formats t as RFC 3339 milliseconds plus the counter.
func (t Timestamp) String() string {
	return fmt.Sprintf("%s+%d", t.Time().Format("2006-01-02T15:04:05.000Z"), t.Counter())
}

// Clock issues timestamps. It is safe for concurrent use. Its state is the
// last timestamp issued or observed; callers persist Last in the same batch
// as the entries it stamped and restore it with NewClock.
type Clock struct {
	now     func() time.Time
	maxSkew time.Duration

	mu   sync.Mutex
	last Timestamp
}

// NewClock returns a clock reading wall time from now (time.Now when nil),
// that never issues a timestamp at or below last.
func NewClock(now func() time.Time, last Timestamp) *Clock {
	if now == nil {
		now = time.Now
	}
	return &Clock{now: now, maxSkew: DefaultMaxSkew, last: last}
}

// SetMaxSkew changes how far ahead a remote timestamp may be (default
// DefaultMaxSkew); a negative d counts as zero.
func (c *Clock) SetMaxSkew(d time.Duration) {
	d = max(d, 0)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.maxSkew = d
}

// Last returns the last timestamp issued or observed.
func (c *Clock) Last() Timestamp {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// Tick issues a timestamp greater than every one issued or observed before.
func (c *Clock) Tick() (Timestamp, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, err := c.next(c.last)
	if err != nil {
		return 0, err
	}
	c.last = t
	return t, nil
}

// Next returns the timestamp Tick would issue if the last one were at least
// after, without moving the clock. With Advance it lets a caller stamp a
// batch and move the clock only once the batch committed.
func (c *Clock) Next(after Timestamp) (Timestamp, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.next(max(c.last, after))
}

func (c *Clock) next(last Timestamp) (Timestamp, error) {
	wall, err := c.wall()
	if err != nil {
		return 0, err
	}
	switch {
	case wall > last.Wall():
		return New(wall, 0)
	case last.Counter() < MaxCounter:
		return last + 1, nil
	default:
		// The counter is spent: borrow the next millisecond.
		return New(last.Wall()+1, 0)
	}
}

// Check returns ErrClockSkew if remote is more than the maximum skew ahead
// of the local wall clock (exactly the maximum is accepted). It never moves
// the clock.
func (c *Clock) Check(remote Timestamp) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	wall, err := c.wall()
	if err != nil {
		return err
	}
	limit := wall + uint64(c.maxSkew.Milliseconds())
	if remote.Wall() > limit {
		return fmt.Errorf("%w: %s is %d ms ahead, limit %v", ErrClockSkew, remote,
			remote.Wall()-wall, c.maxSkew)
	}
	return nil
}

// Observe checks remote (see Check) and, if it passes, moves the clock to
// at least remote, so later ticks order after it.
func (c *Clock) Observe(remote Timestamp) error {
	if err := c.Check(remote); err != nil {
		return err
	}
	c.Advance(remote)
	return nil
}

// Advance moves the clock to t if t is later; it never moves it back.
func (c *Clock) Advance(t Timestamp) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last = max(c.last, t)
}

func (c *Clock) wall() (uint64, error) {
	ms := c.now().UnixMilli()
	if ms < 0 {
		return 0, fmt.Errorf("%w: negative wall time %d ms", ErrWallOverflow, ms)
	}
	if uint64(ms) > MaxWall {
		return 0, fmt.Errorf("%w: %d ms", ErrWallOverflow, ms)
	}
	return uint64(ms), nil
}
