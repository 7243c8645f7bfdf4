package changelogtest

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/kv/kvtest"
)

// testModel runs random writes of random sizes on a few objects from 2-3
// instances, one or two at once, with crashes at random steps and
// recoveries at random times, against a model of the values each object
// may hold.
func testModel(t *testing.T, open kvtest.Opener) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("Seed", seed), func(t *testing.T) { runModel(t, open, seed) })
	}
}

type modelPeer struct {
	*peer
	c *crash
}

func runModel(t *testing.T, open kvtest.Opener, seed uint64) {
	const ops = 25
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	e := newMEnv(t, open)
	objects := []string{"m0", "m1", "m2"}
	// may holds, for each object, the values it may hold (nil: absent).
	may := make(map[string][][]byte)
	for _, o := range objects {
		may[o] = [][]byte{nil}
	}
	newPeer := func() *modelPeer {
		c := &crash{}
		return &modelPeer{peer: e.peer(t, c.opts()), c: c}
	}
	live := []*modelPeer{newPeer(), newPeer()}
	crashSteps := []struct {
		step changelog.Step
		nth  int
	}{
		{changelog.StepRecorded, 1}, {stepChunk, 1}, {changelog.StepWritten, 1},
		{changelog.StepCASCommitted, 1}, {changelog.StepDeleted, 1}, {changelog.StepDeleted, 2},
		{changelog.StepBeforeRemove, 1},
	}
	type op struct {
		p      *modelPeer
		object string
		value  []byte // nil: delete
		err    error
	}
	seq, crashes := 0, 0
	recoverNow := func(round int) {
		t.Helper()
		e.clock.Add(expiry + time.Millisecond)
		for _, p := range live {
			require.NoError(t, p.log.Heartbeat(ctx)) // a live instance is not claimed
		}
		r := live[rng.IntN(len(live))]
		_, err := r.m.Recover(ctx)
		require.NoError(t, err, "round %d", round)
		e.requireNoLog(t, "round %d: every entry is cleaned", round)
		nlarge := 0
		for _, o := range objects {
			got, err := r.m.Get(ctx, o)
			if errors.Is(err, changelog.ErrNotFound) {
				require.True(t, slices.ContainsFunc(may[o], func(v []byte) bool { return v == nil }),
					"round %d: %s is absent, but a write of it committed last", round, o)
				may[o] = [][]byte{nil}
				continue
			}
			require.NoError(t, err, "round %d: %s", round, o)
			require.True(t, slices.ContainsFunc(may[o], func(v []byte) bool { return v != nil && bytes.Equal(v, got) }),
				"round %d: %s holds %d bytes %.24q, which no write that may have committed last wrote", round, o, len(got), got)
			may[o] = [][]byte{got}
			if len(got) > inlineMax {
				nlarge++
			}
		}
		require.Len(t, e.revisions(t), nlarge, "round %d: one blob per large object, none unreferenced", round)
		n, err := r.m.Recover(ctx)
		require.NoError(t, err)
		require.Zero(t, n, "round %d: a second recovery finds nothing", round)
	}
	round := 0
	for done := 0; done < ops; round++ {
		k := min(1+rng.IntN(2), len(live), ops-done)
		batch := make([]*op, k)
		for i, pi := range rng.Perm(len(live))[:k] {
			o := &op{p: live[pi], object: objects[rng.IntN(len(objects))]}
			seq++
			tag := fmt.Sprintf("s%d-v%d", seed, seq)
			switch r := rng.IntN(10); {
			case r < 5:
				o.value = value(tag, inlineMax+1+rng.IntN(3*chunkSize))
			case r < 8:
				o.value = value(tag, 1+rng.IntN(inlineMax))
			}
			o.p.c.arm("", 0)
			if rng.IntN(4) == 0 {
				cs := crashSteps[rng.IntN(len(crashSteps))]
				o.p.c.arm(cs.step, cs.nth)
			}
			batch[i] = o
		}
		var wg sync.WaitGroup
		for _, o := range batch {
			wg.Go(func() {
				if o.value == nil {
					o.err = o.p.m.Delete(ctx, o.object)
				} else {
					o.err = o.p.m.Put(ctx, o.object, o.value)
				}
			})
		}
		wg.Wait()
		done += k
		committed := make(map[string][][]byte)
		for _, o := range batch {
			fired, ok := o.p.c.state()
			if fired {
				require.ErrorIs(t, o.err, errCrash, "round %d", round)
				crashes++
				live = slices.DeleteFunc(live, func(p *modelPeer) bool { return p == o.p }) // abandoned
			} else {
				require.NoError(t, o.err, "round %d: a lost race is not an error", round)
				o.p.c.arm("", 0)
			}
			if ok {
				committed[o.object] = append(committed[o.object], o.value)
			}
		}
		// An object some write committed holds the value of one of them;
		// one no write committed keeps what it may have held.
		for o, vs := range committed {
			may[o] = vs
		}
		for len(live) < 2 || (len(live) < 3 && rng.IntN(4) == 0) {
			live = append(live, newPeer())
		}
		if rng.IntN(4) == 0 || done == ops {
			recoverNow(round)
		}
	}
	t.Logf("seed %d: %d rounds, %d crashes", seed, round, crashes)
}
