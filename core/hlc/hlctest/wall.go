// Package hlctest holds test doubles for the clocks of idbsync.
package hlctest

import (
	"sync"
	"time"
)

// Wall is a wall clock a test sets, for the Now options of hlc.NewClock,
// oplog.Options and changelog.DurableOptions. It is safe for concurrent use.
type Wall struct {
	mu  sync.Mutex
	now time.Time
}

// NewWall returns a clock standing at now.
func NewWall(now time.Time) *Wall { return &Wall{now: now} }

// Now returns the clock's time.
func (w *Wall) Now() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

// Add moves the clock by d, backwards when d is negative.
func (w *Wall) Add(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.now = w.now.Add(d)
}

// Set puts the clock at t.
func (w *Wall) Set(t time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.now = t
}
