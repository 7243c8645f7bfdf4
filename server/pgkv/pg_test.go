//go:build !js

package pgkv_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/kvtest"
	"github.com/idbsync/idbsync/server/internal/pgtest"
	"github.com/idbsync/idbsync/server/pgkv"
)

func u64(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

func commit(s kv.Store, build func(b *kv.Batch)) error {
	var b kv.Batch
	build(&b)
	return s.Commit(ctx, &b)
}

// TestTwoProcessesRace races two stores with their own connections (two
// server processes) on one namespace, round after round: of two batches
// whose checks exclude each other exactly one lands, whole, and the other
// fails with the error of its check; merges never lose an update.
func TestTwoProcessesRace(t *testing.T) {
	url := pgtest.Shared(t).URL()
	tests := []struct {
		name  string
		build func(b *kv.Batch, round uint64, w int)
		want  error // the loser's error; nil: both land
	}{
		{"Expect", func(b *kv.Batch, round uint64, w int) {
			b.Expect("a", []byte("counter"), u64(round))
			b.Put("a", []byte("counter"), u64(round+1))
		}, kv.ErrConflict},
		{"ExpectAbsent", func(b *kv.Batch, round uint64, w int) {
			b.ExpectAbsent("a", u64(round))
			b.Put("a", u64(round), []byte{byte(w)})
		}, kv.ErrConflict},
		{"Insert", func(b *kv.Batch, round uint64, w int) {
			b.Insert("a", u64(round), []byte{byte(w)})
		}, kv.ErrUniqueViolation},
		{"Merge", func(b *kv.Batch, round uint64, w int) {
			b.Merge("a", []byte("counter"), func(old []byte, found bool) ([]byte, bool, error) {
				var n uint64
				if found {
					n = binary.BigEndian.Uint64(old)
				}
				return u64(n + 1), true, nil
			})
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			name := kvtest.FreshName(t, "race")
			stores := []*pgkv.Store{open(t, url, name, "a", "b"), open(t, url, name, "a", "b")}
			for _, s := range stores {
				t.Cleanup(func() { _ = s.Close() })
			}
			if tc.name == "Expect" {
				require.NoError(t, commit(stores[0], func(b *kv.Batch) { b.Put("a", []byte("counter"), u64(0)) }))
			}
			const rounds = 40
			wins := 0
			for round := range uint64(rounds) {
				start := make(chan struct{})
				var wg sync.WaitGroup
				errs := make([]error, 2)
				for w, s := range stores {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						errs[w] = commit(s, func(b *kv.Batch) {
							tc.build(b, round, w)
							for j := range uint64(20) {
								b.Put("b", append(u64(round), u64(uint64(w)<<32|j)...), nil)
							}
						})
					}()
				}
				close(start)
				wg.Wait()
				landed := 0
				for w, err := range errs {
					rows, serr := stores[1-w].Scan(ctx, "b", kv.Prefix(append(u64(round), u64(uint64(w) << 32)[:4]...)))
					require.NoError(t, serr)
					if err == nil {
						landed++
						assert.Len(t, rows, 20, "round %d: writer %d landed whole", round, w)
						continue
					}
					require.ErrorIs(t, err, tc.want, "round %d: writer %d", round, w)
					var oe *kv.OpError
					assert.True(t, errors.As(err, &oe), "a failed check names its op")
					assert.Empty(t, rows, "round %d: writer %d left no trace", round, w)
				}
				if tc.want == nil {
					require.Equal(t, 2, landed, "round %d", round)
				} else {
					require.Equal(t, 1, landed, "round %d: exactly one of two racing batches lands", round)
				}
				wins += landed
			}
			if tc.name == "Merge" || tc.name == "Expect" {
				v, err := stores[0].Get(ctx, "a", []byte("counter"))
				require.NoError(t, err)
				assert.Equal(t, u64(uint64(wins)), v, "no update lost")
			}
		})
	}
}

// TestCrossedChecks races batches that each check the key the other
// writes, so that their locks cross: PostgreSQL breaks the deadlock, the
// store runs the aborted batch again, and it fails its check as it would
// have after the winner. Exactly one lands.
func TestCrossedChecks(t *testing.T) {
	url := pgtest.Shared(t).URL()
	name := kvtest.FreshName(t, "crossed")
	stores := []*pgkv.Store{open(t, url, name, "a"), open(t, url, name, "a")}
	for _, s := range stores {
		t.Cleanup(func() { _ = s.Close() })
	}
	x, y := []byte("x"), []byte("y")
	for round := range 5 {
		require.NoError(t, commit(stores[0], func(b *kv.Batch) { b.Put("a", x, []byte("0")); b.Put("a", y, []byte("0")) }))
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for w, s := range stores {
			check, write := x, y
			if w == 1 {
				check, write = y, x
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[w] = commit(s, func(b *kv.Batch) {
					b.Expect("a", check, []byte("0"))
					b.Put("a", write, []byte("1"))
				})
			}()
		}
		close(start)
		wg.Wait()
		landed := 0
		for _, err := range errs {
			if err == nil {
				landed++
			} else {
				require.ErrorIs(t, err, kv.ErrConflict, "round %d", round)
			}
		}
		require.Equal(t, 1, landed, "round %d", round)
	}
}

// TestRestart stops PostgreSQL under open stores: their calls fail with
// kv.ErrAborted, nothing half-applied, and work again once it is back.
func TestRestart(t *testing.T) {
	c := pgtest.Start(t)
	s := open(t, c.URL(), "restart", "a")
	defer s.Close()
	// Several idle connections, all of which the restart will break.
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.NoError(t, commit(s, func(b *kv.Batch) { b.Put("a", u64(uint64(i)), []byte("before")) }))
		}()
	}
	wg.Wait()

	require.NoError(t, c.Stop())
	calls := []struct {
		name string
		call func() error
	}{
		{"Get", func() error { _, err := s.Get(ctx, "a", u64(0)); return err }},
		{"GetMany", func() error { _, err := s.GetMany(ctx, "a", [][]byte{u64(0)}); return err }},
		{"Scan", func() error { _, err := s.Scan(ctx, "a", kv.Range{}); return err }},
		{"Commit", func() error {
			return commit(s, func(b *kv.Batch) { b.Put("a", u64(0), []byte("during")); b.Insert("a", u64(9), nil) })
		}},
		{"CommitExpect", func() error { return commit(s, func(b *kv.Batch) { b.Expect("a", u64(1), []byte("before")) }) }},
		{"CreateTables", func() error { return s.CreateTables(ctx, "new") }},
		{"Open", func() error {
			_, err := pgkv.Open(ctx, c.URL(), pgkv.Options{Namespace: "restart"})
			return err
		}},
	}
	for _, tc := range calls {
		t.Run("Down/"+tc.name, func(t *testing.T) {
			err := tc.call()
			require.ErrorIs(t, err, kv.ErrAborted)
			assert.NotErrorIs(t, err, kv.ErrConflict)
		})
	}

	require.NoError(t, c.Start())
	for _, tc := range calls[:len(calls)-1] {
		t.Run("Up/"+tc.name, func(t *testing.T) { require.NoError(t, tc.call()) })
	}
	got, err := s.Get(ctx, "a", u64(0))
	require.NoError(t, err)
	assert.Equal(t, []byte("during"), got)
	rows, err := s.Scan(ctx, "a", kv.Range{})
	require.NoError(t, err)
	assert.Len(t, rows, 5)
}

// TestNamespaces: stores on two namespaces of one database share nothing,
// whatever characters the names hold.
func TestNamespaces(t *testing.T) {
	url := pgtest.Shared(t).URL()
	names := []string{`ns one`, `NS"; drop schema public; --`, `Ünïcode/ns`, `NS`}
	stores := make([]*pgkv.Store, len(names))
	for i, name := range names {
		s, err := pgkv.Open(ctx, url, pgkv.Options{Namespace: name, Tables: []string{"a"}})
		require.NoError(t, err, name)
		t.Cleanup(func() { _ = s.Close() })
		assert.Equal(t, name, s.Namespace())
		stores[i] = s
		require.NoError(t, commit(s, func(b *kv.Batch) { b.Insert("a", []byte("k"), []byte(name)) }))
	}
	for i, s := range stores {
		rows, err := s.Scan(ctx, "a", kv.Range{})
		require.NoError(t, err)
		require.Len(t, rows, 1, names[i])
		assert.Equal(t, []byte(names[i]), rows[0].Value)
	}
	require.NoError(t, stores[0].CreateTables(ctx, "only-here"))
	require.NoError(t, commit(stores[0], func(b *kv.Batch) { b.Put("only-here", []byte("k"), nil) }))
	err := commit(stores[1], func(b *kv.Batch) { b.Put("only-here", []byte("k"), nil) })
	assert.ErrorIs(t, err, kv.ErrUnknownTable, "tables are per namespace")

	for _, bad := range []string{string(bytes.Repeat([]byte("n"), 64)), "nul\x00", "\xff"} {
		_, err := pgkv.Open(ctx, url, pgkv.Options{Namespace: bad})
		assert.Error(t, err, "%q", bad)
	}
}

// TestConcurrentOpen: processes opening a new namespace at once all
// succeed (its DDL runs once, under an advisory lock) and share it.
func TestConcurrentOpen(t *testing.T) {
	url := pgtest.Shared(t).URL()
	name := kvtest.FreshName(t, "open")
	stores := make([]*pgkv.Store, 4)
	var wg sync.WaitGroup
	for i := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := pgkv.Open(ctx, url, pgkv.Options{Namespace: namespace(name), Tables: []string{"a", fmt.Sprint(i)}})
			if assert.NoError(t, err) {
				stores[i] = s
			}
		}()
	}
	wg.Wait()
	for i, s := range stores {
		require.NotNil(t, s)
		defer s.Close()
		require.NoError(t, commit(s, func(b *kv.Batch) { b.Insert("a", u64(uint64(i)), nil); b.Put(fmt.Sprint(i), u64(0), nil) }))
	}
	rows, err := stores[0].Scan(ctx, "a", kv.Range{})
	require.NoError(t, err)
	assert.Len(t, rows, len(stores))
}

// TestTableFromAnotherProcess: a table one store creates is usable at once
// by a store that was opened before it existed.
func TestTableFromAnotherProcess(t *testing.T) {
	url := pgtest.Shared(t).URL()
	name := kvtest.FreshName(t, "tables")
	a, b := open(t, url, name), open(t, url, name)
	defer a.Close()
	defer b.Close()
	_, err := b.Get(ctx, "late", []byte("k"))
	require.ErrorIs(t, err, kv.ErrUnknownTable)
	require.NoError(t, a.CreateTables(ctx, "late"))
	require.NoError(t, commit(a, func(bt *kv.Batch) { bt.Put("late", []byte("k"), []byte("v")) }))
	got, err := b.Get(ctx, "late", []byte("k"))
	require.NoError(t, err)
	assert.Equal(t, []byte("v"), got)
	require.NoError(t, commit(b, func(bt *kv.Batch) { bt.Expect("late", []byte("k"), []byte("v")) }))
}

// TestVersion: a namespace written by a newer layout is refused.
func TestVersion(t *testing.T) {
	url := pgtest.Shared(t).URL()
	s := open(t, url, "version-newer")
	require.NoError(t, s.Close())
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, fmt.Sprintf(`update %s.meta set value = '%d' where name = 'version'`,
		pgx.Identifier{namespace("version-newer")}.Sanitize(), pgkv.Version+1))
	require.NoError(t, err)
	_, err = pgkv.Open(ctx, url, pgkv.Options{Namespace: namespace("version-newer")})
	assert.ErrorIs(t, err, kv.ErrVersion)
}

// TestKeyLimits: PostgreSQL indexes a compressible key of MaxKeySize, and
// refuses an incompressible one past its btree limit with ErrInvalidKey,
// writing nothing.
func TestKeyLimits(t *testing.T) {
	s := open(t, pgtest.Shared(t).URL(), kvtest.FreshName(t, "keys"), "a")
	defer s.Close()
	random := make([]byte, 2600)
	_, _ = rand.NewChaCha8([32]byte{1}).Read(random)
	tooLong := make([]byte, kv.MaxKeySize)
	_, _ = rand.NewChaCha8([32]byte{2}).Read(tooLong)
	tests := []struct {
		name string
		key  []byte
		want error
	}{
		{"RandomUnderBtreeLimit", random, nil},
		{"RepetitiveMax", bytes.Repeat([]byte{7}, kv.MaxKeySize), nil},
		{"RandomMax", tooLong, kv.ErrInvalidKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := commit(s, func(b *kv.Batch) {
				b.Put("a", []byte("before"), nil)
				b.Put("a", tc.key, []byte("v"))
			})
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				_, err = s.Get(ctx, "a", []byte("before"))
				require.ErrorIs(t, err, kv.ErrNotFound)
				return
			}
			require.NoError(t, err)
			got, err := s.Get(ctx, "a", tc.key)
			require.NoError(t, err)
			assert.Equal(t, []byte("v"), got)
			require.NoError(t, commit(s, func(b *kv.Batch) { b.Delete("a", []byte("before")); b.Delete("a", tc.key) }))
		})
	}
}

// TestContext: a ctx ended before a call is the call's error, and nothing
// is written.
func TestContext(t *testing.T) {
	s := open(t, pgtest.Shared(t).URL(), kvtest.FreshName(t, "ctx"), "a")
	defer s.Close()
	done, cancel := context.WithCancel(ctx)
	cancel()
	var b kv.Batch
	b.Put("a", []byte("k"), nil)
	assert.ErrorIs(t, s.Commit(done, &b), context.Canceled)
	_, err := s.Get(done, "a", []byte("k"))
	assert.ErrorIs(t, err, context.Canceled)
	_, err = s.Scan(done, "a", kv.Range{})
	assert.ErrorIs(t, err, context.Canceled)
	_, err = s.Get(ctx, "a", []byte("k"))
	assert.ErrorIs(t, err, kv.ErrNotFound)
}
