package hlc_test

import (
	"errors"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/hlc"
)

// baseMS is a fixed wall time (2024-01-02T03:04:05.006Z) in Unix ms.
var baseMS = time.Date(2024, 1, 2, 3, 4, 5, 6e6, time.UTC).UnixMilli()

// fakeClock is a settable wall clock; safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFake(ms int64) *fakeClock { return &fakeClock{t: time.UnixMilli(ms)} }

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) Set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = t
}

func (f *fakeClock) SetMS(ms int64) { f.Set(time.UnixMilli(ms)) }

func mustTS(t *testing.T, wall uint64, counter uint16) hlc.Timestamp {
	t.Helper()
	ts, err := hlc.New(wall, counter)
	require.NoError(t, err)
	return ts
}

func mustTick(t *testing.T, c *hlc.Clock) hlc.Timestamp {
	t.Helper()
	ts, err := c.Tick()
	require.NoError(t, err)
	return ts
}

func TestNewRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		wall    uint64
		counter uint16
	}{
		{name: "zero", wall: 0, counter: 0},
		{name: "wall 0 max counter", wall: 0, counter: hlc.MaxCounter},
		{name: "wall 1 counter 0", wall: 1, counter: 0},
		{name: "wall 1 counter 1", wall: 1, counter: 1},
		{name: "max wall counter 0", wall: hlc.MaxWall, counter: 0},
		{name: "max wall max counter", wall: hlc.MaxWall, counter: hlc.MaxCounter},
		{name: "typical", wall: uint64(baseMS), counter: 42},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, err := hlc.New(tt.wall, tt.counter)
			require.NoError(t, err)
			assert.Equal(t, tt.wall, ts.Wall())
			assert.Equal(t, tt.counter, ts.Counter())
			assert.Equal(t, tt.wall<<16|uint64(tt.counter), uint64(ts))
		})
	}
}

func TestNewWallOverflow(t *testing.T) {
	tests := []struct {
		name string
		wall uint64
	}{
		{name: "max wall plus one", wall: hlc.MaxWall + 1},
		{name: "bit 63", wall: 1 << 63},
		{name: "all ones", wall: math.MaxUint64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, err := hlc.New(tt.wall, 7)
			require.Error(t, err)
			assert.ErrorIs(t, err, hlc.ErrWallOverflow)
			assert.Zero(t, ts, "no silently wrapped timestamp")
		})
	}
}

func TestTimestampOrder(t *testing.T) {
	type wc struct {
		wall    uint64
		counter uint16
	}
	points := []wc{
		{0, 0}, {0, 1}, {0, hlc.MaxCounter}, {1, 0}, {1, 1}, {1, hlc.MaxCounter},
		{2, 0}, {uint64(baseMS), 0}, {uint64(baseMS), 5}, {uint64(baseMS) + 1, 0},
		{hlc.MaxWall - 1, hlc.MaxCounter}, {hlc.MaxWall, 0}, {hlc.MaxWall, hlc.MaxCounter},
	}
	lexLess := func(a, b wc) bool {
		return a.wall < b.wall || (a.wall == b.wall && a.counter < b.counter)
	}
	for _, a := range points {
		for _, b := range points {
			ta := mustTS(t, a.wall, a.counter)
			tb := mustTS(t, b.wall, b.counter)
			assert.Equal(t, lexLess(a, b), ta < tb, "%v < %v", a, b)
			assert.Equal(t, a == b, ta == tb, "%v == %v", a, b)
		}
	}
}

func TestStringAndTime(t *testing.T) {
	tests := []struct {
		name    string
		wall    uint64
		counter uint16
		str     string
		time    time.Time
	}{
		{
			name: "epoch", wall: 0, counter: 0,
			str:  "1970-01-01T00:00:00.000Z+0",
			time: time.Unix(0, 0).UTC(),
		},
		{
			name: "typical", wall: uint64(baseMS), counter: 42,
			str:  "2024-01-02T03:04:05.006Z+42",
			time: time.Date(2024, 1, 2, 3, 4, 5, 6e6, time.UTC),
		},
		{
			name: "max counter", wall: 1, counter: hlc.MaxCounter,
			str:  "1970-01-01T00:00:00.001Z+65535",
			time: time.Date(1970, 1, 1, 0, 0, 0, 1e6, time.UTC),
		},
		{
			name: "max wall", wall: hlc.MaxWall, counter: 0,
			str:  "10889-08-02T05:31:50.655Z+0",
			time: time.UnixMilli(hlc.MaxWall).UTC(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := mustTS(t, tt.wall, tt.counter)
			assert.Equal(t, tt.str, ts.String())
			assert.True(t, tt.time.Equal(ts.Time()), "got %v want %v", ts.Time(), tt.time)
			assert.Equal(t, time.UTC, ts.Time().Location())
			assert.Equal(t, int64(tt.wall), ts.Time().UnixMilli())
		})
	}
}

func TestTickSameMillisecond(t *testing.T) {
	fc := newFake(baseMS)
	c := hlc.NewClock(fc.Now, 0)

	prev := mustTick(t, c)
	assert.Equal(t, uint64(baseMS), prev.Wall())
	assert.Equal(t, uint16(0), prev.Counter())
	for i := 1; i <= 1000; i++ {
		// Sub-millisecond movement must not matter.
		fc.Set(time.UnixMilli(baseMS).Add(time.Duration(i%1000) * time.Microsecond))
		ts := mustTick(t, c)
		require.Greater(t, ts, prev)
		assert.Equal(t, uint64(baseMS), ts.Wall())
		assert.Equal(t, uint16(i), ts.Counter())
		assert.Equal(t, ts, c.Last())
		prev = ts
	}
}

func TestTickWallForwardResetsCounter(t *testing.T) {
	fc := newFake(baseMS)
	c := hlc.NewClock(fc.Now, 0)
	for range 5 {
		mustTick(t, c)
	}
	require.Equal(t, uint16(4), c.Last().Counter())

	fc.SetMS(baseMS + 1)
	ts := mustTick(t, c)
	assert.Equal(t, mustTS(t, uint64(baseMS)+1, 0), ts)

	fc.SetMS(baseMS + 1000)
	ts = mustTick(t, c)
	assert.Equal(t, mustTS(t, uint64(baseMS)+1000, 0), ts)
}

func TestTickWallBackwards(t *testing.T) {
	tests := []struct {
		name string
		back time.Duration
	}{
		{name: "one ms", back: time.Millisecond},
		{name: "one second", back: time.Second},
		{name: "one hour", back: time.Hour},
		{name: "to epoch", back: time.Duration(baseMS) * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := newFake(baseMS)
			c := hlc.NewClock(fc.Now, 0)
			mustTick(t, c)
			high := mustTick(t, c)
			require.Equal(t, mustTS(t, uint64(baseMS), 1), high)

			fc.Set(time.UnixMilli(baseMS).Add(-tt.back))
			prev := high
			for i := range 10 {
				ts := mustTick(t, c)
				require.Greater(t, ts, prev)
				assert.Equal(t, uint64(baseMS), ts.Wall(), "wall stays at the high-water mark")
				assert.Equal(t, uint16(2+i), ts.Counter())
				prev = ts
			}

			// Once the wall clock catches up past the high-water mark it wins again.
			fc.SetMS(baseMS + 1)
			ts := mustTick(t, c)
			assert.Equal(t, mustTS(t, uint64(baseMS)+1, 0), ts)
		})
	}
}

func TestTickCounterOverflow(t *testing.T) {
	tests := []struct {
		name     string
		wallMS   int64 // local wall clock
		lastWall uint64
		want     hlc.Timestamp
	}{
		{
			name: "wall clock equals last wall", wallMS: baseMS, lastWall: uint64(baseMS),
			want: hlc.Timestamp((uint64(baseMS) + 1) << 16),
		},
		{
			name: "wall clock behind last wall", wallMS: baseMS - 5000, lastWall: uint64(baseMS),
			want: hlc.Timestamp((uint64(baseMS) + 1) << 16),
		},
		{
			name: "wall clock one ms ahead", wallMS: baseMS + 1, lastWall: uint64(baseMS),
			want: hlc.Timestamp((uint64(baseMS) + 1) << 16),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := newFake(tt.wallMS)
			last := mustTS(t, tt.lastWall, hlc.MaxCounter)
			c := hlc.NewClock(fc.Now, last)

			ts := mustTick(t, c)
			assert.Greater(t, ts, last)
			assert.Equal(t, tt.want, ts)
			assert.Equal(t, tt.lastWall+1, ts.Wall())
			assert.Equal(t, uint16(0), ts.Counter())

			next := mustTick(t, c)
			assert.Equal(t, ts+1, next, "counter continues in the borrowed millisecond")
		})
	}
}

func TestTickCounterOverflowAtMaxWall(t *testing.T) {
	fc := newFake(hlc.MaxWall)
	last := mustTS(t, hlc.MaxWall, hlc.MaxCounter)
	c := hlc.NewClock(fc.Now, last)

	ts, err := c.Tick()
	require.Error(t, err)
	assert.ErrorIs(t, err, hlc.ErrWallOverflow)
	assert.Zero(t, ts)
	assert.Equal(t, last, c.Last(), "a failed Tick leaves the clock alone")
}

func TestNewClockRestoresLast(t *testing.T) {
	tests := []struct {
		name string
		last hlc.Timestamp
	}{
		{name: "one hour ahead", last: hlc.Timestamp((uint64(baseMS)+3_600_000)<<16 | 17)},
		{name: "far future", last: hlc.Timestamp((uint64(hlc.MaxWall) - 10) << 16)},
		{name: "same ms", last: hlc.Timestamp(uint64(baseMS)<<16 | 9)},
		{name: "ahead with spent counter", last: hlc.Timestamp((uint64(baseMS)+100)<<16 | hlc.MaxCounter)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := newFake(baseMS)
			c := hlc.NewClock(fc.Now, tt.last)
			require.Equal(t, tt.last, c.Last())

			prev := tt.last
			for range 100 {
				ts := mustTick(t, c)
				require.Greater(t, ts, prev)
				prev = ts
			}
		})
	}
}

func TestNewClockNilNow(t *testing.T) {
	// With a nil now the clock falls back to time.Now; only monotonicity
	// is asserted, never the real time itself.
	c := hlc.NewClock(nil, 0)
	a := mustTick(t, c)
	b := mustTick(t, c)
	assert.Greater(t, b, a)
}

func TestCheckSkewBoundary(t *testing.T) {
	T := uint64(baseMS)
	tests := []struct {
		name    string
		remote  hlc.Timestamp
		wantErr bool
	}{
		{name: "same ms", remote: hlc.Timestamp(T << 16)},
		{name: "exactly max skew", remote: hlc.Timestamp((T + 60000) << 16)},
		{name: "exactly max skew max counter", remote: hlc.Timestamp((T+60000)<<16 | hlc.MaxCounter)},
		{name: "one ms beyond max skew", remote: hlc.Timestamp((T + 60001) << 16), wantErr: true},
		{name: "far future", remote: hlc.Timestamp(uint64(hlc.MaxWall) << 16), wantErr: true},
		{name: "past", remote: hlc.Timestamp((T - 3_600_000) << 16)},
		{name: "zero", remote: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := newFake(baseMS)
			c := hlc.NewClock(fc.Now, 0)
			err := c.Check(tt.remote)
			if tt.wantErr {
				require.Error(t, err)
				assert.ErrorIs(t, err, hlc.ErrClockSkew)
			} else {
				assert.NoError(t, err)
			}
			assert.Zero(t, c.Last(), "Check never moves the clock")
		})
	}
}

func TestObserveSkewBoundary(t *testing.T) {
	T := uint64(baseMS)
	tests := []struct {
		name    string
		remote  hlc.Timestamp
		wantErr bool
	}{
		{name: "exactly max skew", remote: hlc.Timestamp((T+60000)<<16 | 3)},
		{name: "one ms beyond max skew", remote: hlc.Timestamp((T+60001)<<16 | 3), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := newFake(baseMS)
			c := hlc.NewClock(fc.Now, 0)
			before := mustTick(t, c)

			err := c.Observe(tt.remote)
			if tt.wantErr {
				require.Error(t, err)
				assert.ErrorIs(t, err, hlc.ErrClockSkew)
				assert.Equal(t, before, c.Last(), "rejected Observe leaves Last unchanged")
				ts := mustTick(t, c)
				assert.Equal(t, before+1, ts, "next Tick as if nothing happened")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.remote, c.Last())
			ts := mustTick(t, c)
			assert.Greater(t, ts, tt.remote)
			assert.Equal(t, tt.remote+1, ts)
		})
	}
}

func TestObserveRemoteAhead(t *testing.T) {
	fc := newFake(baseMS)
	c := hlc.NewClock(fc.Now, 0)
	mustTick(t, c)

	remote := mustTS(t, uint64(baseMS)+500, 12)
	require.NoError(t, c.Observe(remote))
	assert.Equal(t, remote, c.Last())

	// Local wall still behind the remote: ticks follow the remote's counter.
	fc.SetMS(baseMS + 100)
	ts := mustTick(t, c)
	assert.Greater(t, ts, remote)
	assert.Equal(t, mustTS(t, uint64(baseMS)+500, 13), ts)

	// A remote with a spent counter borrows the next millisecond.
	spent := mustTS(t, uint64(baseMS)+1000, hlc.MaxCounter)
	require.NoError(t, c.Observe(spent))
	ts = mustTick(t, c)
	assert.Greater(t, ts, spent)
	assert.Equal(t, mustTS(t, uint64(baseMS)+1001, 0), ts)
}

func TestObserveRemoteInPast(t *testing.T) {
	tests := []struct {
		name   string
		remote hlc.Timestamp
	}{
		{name: "zero", remote: 0},
		{name: "an hour ago", remote: hlc.Timestamp((uint64(baseMS) - 3_600_000) << 16)},
		{name: "same ms lower counter", remote: hlc.Timestamp(uint64(baseMS)<<16 | 1)},
		{name: "equal to last", remote: hlc.Timestamp(uint64(baseMS)<<16 | 4)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := newFake(baseMS)
			c := hlc.NewClock(fc.Now, 0)
			var last hlc.Timestamp
			for range 5 {
				last = mustTick(t, c)
			}
			require.Equal(t, mustTS(t, uint64(baseMS), 4), last)

			require.NoError(t, c.Observe(tt.remote))
			assert.Equal(t, last, c.Last(), "Observe never moves the clock back")
			assert.Equal(t, last+1, mustTick(t, c))
		})
	}
}

func TestSetMaxSkew(t *testing.T) {
	T := uint64(baseMS)
	tests := []struct {
		name    string
		skew    time.Duration
		remote  uint64 // remote wall ms
		wantErr bool
	}{
		{name: "default would reject, larger accepts", skew: 2 * time.Minute, remote: T + 120_000},
		{name: "larger limit plus one ms", skew: 2 * time.Minute, remote: T + 120_001, wantErr: true},
		{name: "smaller limit exact", skew: time.Second, remote: T + 1000},
		{name: "smaller limit plus one ms", skew: time.Second, remote: T + 1001, wantErr: true},
		{name: "default would accept, smaller rejects", skew: time.Second, remote: T + 60_000, wantErr: true},
		{name: "zero skew same ms", skew: 0, remote: T},
		{name: "zero skew one ms ahead", skew: 0, remote: T + 1, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := newFake(baseMS)
			c := hlc.NewClock(fc.Now, 0)
			c.SetMaxSkew(tt.skew)
			remote := mustTS(t, tt.remote, 0)

			err := c.Observe(remote)
			if tt.wantErr {
				require.Error(t, err)
				assert.ErrorIs(t, err, hlc.ErrClockSkew)
				assert.Zero(t, c.Last())
			} else {
				require.NoError(t, err)
				assert.Equal(t, remote, c.Last())
			}
		})
	}
}

func TestNext(t *testing.T) {
	T := uint64(baseMS)
	tests := []struct {
		name  string
		last  hlc.Timestamp
		after hlc.Timestamp
		want  hlc.Timestamp
	}{
		{name: "zero state", last: 0, after: 0, want: hlc.Timestamp(T << 16)},
		{name: "after below last", last: hlc.Timestamp(T<<16 | 5), after: hlc.Timestamp(T << 16), want: hlc.Timestamp(T<<16 | 6)},
		{name: "after above last same ms", last: hlc.Timestamp(T<<16 | 5), after: hlc.Timestamp(T<<16 | 9), want: hlc.Timestamp(T<<16 | 10)},
		{name: "after in the future", last: hlc.Timestamp(T << 16), after: hlc.Timestamp((T+10)<<16 | 3), want: hlc.Timestamp((T+10)<<16 | 4)},
		{name: "after with spent counter", last: 0, after: hlc.Timestamp((T+10)<<16 | hlc.MaxCounter), want: hlc.Timestamp((T + 11) << 16)},
		{name: "last ahead of after", last: hlc.Timestamp((T+20)<<16 | 1), after: hlc.Timestamp((T + 10) << 16), want: hlc.Timestamp((T+20)<<16 | 2)},
		{name: "both in the past", last: hlc.Timestamp((T - 10) << 16), after: hlc.Timestamp((T - 5) << 16), want: hlc.Timestamp(T << 16)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := newFake(baseMS)
			c := hlc.NewClock(fc.Now, tt.last)

			got, err := c.Next(tt.after)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Greater(t, got, max(tt.last, tt.after))
			assert.Equal(t, tt.last, c.Last(), "Next does not move the clock")

			again, err := c.Next(tt.after)
			require.NoError(t, err)
			assert.Equal(t, got, again, "Next is idempotent")
		})
	}
}

func TestNextThenAdvanceBatch(t *testing.T) {
	fc := newFake(baseMS)
	c := hlc.NewClock(fc.Now, 0)
	start := mustTick(t, c)

	// Stamp a batch without moving the clock.
	var batch []hlc.Timestamp
	prev := c.Last()
	for range 5 {
		ts, err := c.Next(prev)
		require.NoError(t, err)
		require.Greater(t, ts, prev)
		batch = append(batch, ts)
		prev = ts
	}
	assert.Equal(t, start, c.Last(), "uncommitted batch leaves the clock alone")

	// Commit: the clock moves to the batch's last stamp.
	c.Advance(batch[len(batch)-1])
	assert.Equal(t, batch[len(batch)-1], c.Last())
	assert.Greater(t, mustTick(t, c), batch[len(batch)-1])
}

func TestAdvance(t *testing.T) {
	T := uint64(baseMS)
	start := hlc.Timestamp(T<<16 | 10)
	tests := []struct {
		name string
		to   hlc.Timestamp
		want hlc.Timestamp
	}{
		{name: "forward", to: hlc.Timestamp((T+5)<<16 | 1), want: hlc.Timestamp((T+5)<<16 | 1)},
		{name: "forward by one", to: start + 1, want: start + 1},
		{name: "equal", to: start, want: start},
		{name: "back by one", to: start - 1, want: start},
		{name: "back to zero", to: 0, want: start},
		{name: "far future is not skew-checked", to: hlc.Timestamp(uint64(hlc.MaxWall) << 16), want: hlc.Timestamp(uint64(hlc.MaxWall) << 16)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := newFake(baseMS)
			c := hlc.NewClock(fc.Now, start)
			c.Advance(tt.to)
			assert.Equal(t, tt.want, c.Last())
		})
	}
}

func TestWallOutOfRange(t *testing.T) {
	tests := []struct {
		name string
		now  time.Time
	}{
		{name: "one ms before 1970", now: time.UnixMilli(-1)},
		{name: "sub-ms before 1970", now: time.Unix(0, -1)},
		{name: "year 1900", now: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)},
		{name: "max wall plus one ms", now: time.UnixMilli(hlc.MaxWall + 1)},
		{name: "year 20000", now: time.Date(20000, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := &fakeClock{t: tt.now}
			last := mustTS(t, uint64(baseMS), 3)
			c := hlc.NewClock(fc.Now, last)

			ts, err := c.Tick()
			require.Error(t, err)
			assert.ErrorIs(t, err, hlc.ErrWallOverflow)
			assert.Zero(t, ts)
			assert.Equal(t, last, c.Last(), "failed Tick leaves the clock alone")

			_, err = c.Next(0)
			assert.ErrorIs(t, err, hlc.ErrWallOverflow)

			err = c.Observe(last)
			assert.ErrorIs(t, err, hlc.ErrWallOverflow)
			assert.False(t, errors.Is(err, hlc.ErrClockSkew))
			assert.Equal(t, last, c.Last())

			// Once the wall clock is sane again the clock carries on.
			fc.SetMS(baseMS)
			assert.Equal(t, last+1, mustTick(t, c))
		})
	}
}

func TestWallInRangeEdges(t *testing.T) {
	tests := []struct {
		name string
		ms   int64
	}{
		{name: "epoch", ms: 0},
		{name: "max wall", ms: hlc.MaxWall},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := newFake(tt.ms)
			c := hlc.NewClock(fc.Now, 0)
			ts, err := c.Tick()
			require.NoError(t, err)
			assert.Equal(t, uint64(tt.ms), ts.Wall())
		})
	}
}

func TestConcurrentTicks(t *testing.T) {
	const (
		goroutines = 8
		perG       = 1000
	)
	fc := newFake(baseMS) // frozen: every tick lands in the same ms or borrows
	c := hlc.NewClock(fc.Now, 0)

	results := make([][]hlc.Timestamp, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			out := make([]hlc.Timestamp, 0, perG)
			for range perG {
				ts, err := c.Tick()
				if err != nil {
					t.Errorf("Tick: %v", err)
					return
				}
				out = append(out, ts)
			}
			results[g] = out
		})
	}
	wg.Wait()

	seen := make(map[hlc.Timestamp]struct{}, goroutines*perG)
	var maxTS hlc.Timestamp
	for g, out := range results {
		require.Len(t, out, perG, "goroutine %d", g)
		for i, ts := range out {
			if i > 0 {
				require.Greater(t, ts, out[i-1], "per-goroutine order, goroutine %d", g)
			}
			seen[ts] = struct{}{}
			maxTS = max(maxTS, ts)
		}
	}
	assert.Len(t, seen, goroutines*perG, "all timestamps distinct")
	assert.Equal(t, maxTS, c.Last())
	assert.Equal(t, mustTS(t, uint64(baseMS), goroutines*perG-1), maxTS)
}

func TestConcurrentMixed(t *testing.T) {
	fc := newFake(baseMS)
	c := hlc.NewClock(fc.Now, 0)
	remote := mustTS(t, uint64(baseMS)+10, 0)

	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 200 {
				if _, err := c.Tick(); err != nil {
					t.Errorf("Tick: %v", err)
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 200 {
			if err := c.Observe(remote + hlc.Timestamp(i)); err != nil {
				t.Errorf("Observe: %v", err)
			}
			c.Advance(remote)
			_, _ = c.Next(0)
			c.SetMaxSkew(hlc.DefaultMaxSkew)
		}
	})
	wg.Wait()
	assert.Greater(t, mustTick(t, c), remote+199)
}
