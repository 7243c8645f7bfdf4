package memkv_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/kvtest"
	"github.com/idbsync/idbsync/core/kv/memkv"
)

func TestConformance(t *testing.T) {
	kvtest.Run(t, kvtest.MemOpener(kvtest.Tables...))
}

func BenchmarkStore(b *testing.B) {
	kvtest.Benchmark(b, func(testing.TB, string) kv.Store { return memkv.New(kvtest.Tables...) })
}

var ctx = context.Background()

// model is what a table should hold: a map, and its keys sorted on demand.
type model map[string][]byte

func (m model) scan(r kv.Range) []kv.Pair {
	keys := make([]string, 0, len(m))
	for k := range m {
		if (r.Start == nil || k >= string(r.Start)) && (r.End == nil || k < string(r.End)) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	if r.Reverse {
		slices.Reverse(keys)
	}
	if r.Limit > 0 && len(keys) > r.Limit {
		keys = keys[:r.Limit]
	}
	var out []kv.Pair
	for _, k := range keys {
		out = append(out, kv.Pair{Key: []byte(k), Value: m[k]})
	}
	return out
}

var errRefused = errors.New("refused")

// The merges the model test plays: each is pure, as MergeFunc must be.
var merges = []struct {
	name string
	fn   func(tag byte) kv.MergeFunc
	// apply is the merge on the model: the new value and whether it is
	// written, or an error.
	apply func(tag byte, old []byte, found bool) ([]byte, bool, error)
}{
	{
		name: "append",
		fn: func(tag byte) kv.MergeFunc {
			return func(old []byte, _ bool) ([]byte, bool, error) { return append(old, tag), true, nil }
		},
		apply: func(tag byte, old []byte, _ bool) ([]byte, bool, error) {
			return append(bytes.Clone(old), tag), true, nil
		},
	},
	{
		name: "only if absent",
		fn: func(tag byte) kv.MergeFunc {
			return func(_ []byte, found bool) ([]byte, bool, error) { return []byte{tag}, !found, nil }
		},
		apply: func(tag byte, _ []byte, found bool) ([]byte, bool, error) { return []byte{tag}, !found, nil },
	},
	{
		name: "only if present",
		fn: func(tag byte) kv.MergeFunc {
			return func(old []byte, found bool) ([]byte, bool, error) { return []byte{tag}, found, nil }
		},
		apply: func(tag byte, _ []byte, found bool) ([]byte, bool, error) { return []byte{tag}, found, nil },
	},
	{
		name: "refuse if present",
		fn: func(tag byte) kv.MergeFunc {
			return func(_ []byte, found bool) ([]byte, bool, error) {
				if found {
					return nil, false, errRefused
				}
				return []byte{tag}, true, nil
			}
		},
		apply: func(tag byte, _ []byte, found bool) ([]byte, bool, error) {
			if found {
				return nil, false, errRefused
			}
			return []byte{tag}, true, nil
		},
	},
	{
		name: "refuse if absent",
		fn: func(tag byte) kv.MergeFunc {
			return func(old []byte, found bool) ([]byte, bool, error) {
				if !found {
					return nil, false, errRefused
				}
				return append(old, tag), true, nil
			}
		},
		apply: func(tag byte, old []byte, found bool) ([]byte, bool, error) {
			if !found {
				return nil, false, errRefused
			}
			return append(bytes.Clone(old), tag), true, nil
		},
	},
}

// TestModel plays random batches, many of them failing, on a store and on a
// model, and checks after each that every table reads as the model: enough
// keys that the trees have several levels, every kind of op, and merges
// that write or not, or fail, depending on whether the key is there.
func TestModel(t *testing.T) {
	tests := []struct {
		name    string
		keys    int // distinct keys per table
		batches int
		ops     int // at most, per batch
	}{
		{name: "small tables, many conflicts", keys: 40, batches: 3000, ops: 6},
		{name: "deep trees", keys: 20000, batches: 600, ops: 200},
	}
	tables := []string{"a", "b"}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(tc.keys)))
			s := memkv.New(tables...)
			want := map[string]model{"a": {}, "b": {}}
			key := func() []byte { return fmt.Appendf(nil, "k%06d", rng.IntN(tc.keys)) }
			failed := 0
			for n := range tc.batches {
				var b kv.Batch
				next := map[string]model{"a": cloneModel(want["a"]), "b": cloneModel(want["b"])}
				merged := make(map[string]bool)
				var fail error
				for range 1 + rng.IntN(tc.ops) {
					table := tables[rng.IntN(len(tables))]
					m := next[table]
					k := key()
					cell := table + "/" + string(k)
					if merged[cell] {
						continue // a merged key takes no other op
					}
					old, found := m[string(k)]
					v := fmt.Appendf(nil, "v%d", n)
					switch op := rng.IntN(10); {
					case op < 3:
						b.Put(table, k, v)
						m[string(k)] = v
					case op < 5:
						b.Insert(table, k, v)
						if found && fail == nil {
							fail = kv.ErrUniqueViolation
						}
						m[string(k)] = v
					case op < 6:
						b.Delete(table, k)
						delete(m, string(k))
					case op < 7:
						if rng.IntN(2) == 0 && found {
							b.Expect(table, k, old)
						} else {
							b.Expect(table, k, []byte("never written"))
							if fail == nil {
								fail = kv.ErrConflict
							}
						}
					case op < 8:
						b.ExpectAbsent(table, k)
						if found && fail == nil {
							fail = kv.ErrConflict
						}
					default:
						if slices.ContainsFunc(b.Ops(), func(o kv.Op) bool { return o.Table == table && bytes.Equal(o.Key, k) }) {
							continue
						}
						mg := merges[rng.IntN(len(merges))]
						tag := byte(n)
						b.Merge(table, k, mg.fn(tag))
						merged[cell] = true
						nv, write, err := mg.apply(tag, old, found)
						if err != nil && fail == nil {
							fail = err
						}
						if write {
							m[string(k)] = nv
						}
					}
				}
				err := s.Commit(ctx, &b)
				if fail != nil {
					require.ErrorIs(t, err, fail, "batch %d", n)
					failed++
				} else {
					require.NoError(t, err, "batch %d", n)
					want = next
				}
				if n%50 == 0 || n == tc.batches-1 {
					checkModel(t, rng, s, want)
				}
			}
			assert.Greater(t, failed, tc.batches/20, "the test fails batches too")
		})
	}
}

func cloneModel(m model) model {
	out := make(model, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// checkModel checks every table of s against want: a full scan, random
// ranges either way with and without limits, and point reads.
func checkModel(t *testing.T, rng *rand.Rand, s *memkv.Store, want map[string]model) {
	t.Helper()
	for table, m := range want {
		got, err := s.Scan(ctx, table, kv.Range{})
		require.NoError(t, err)
		require.Equal(t, m.scan(kv.Range{}), got, "table %s", table)
		for range 20 {
			a, b := fmt.Appendf(nil, "k%06d", rng.IntN(25000)), fmt.Appendf(nil, "k%06d", rng.IntN(25000))
			r := kv.Range{Start: a, End: b, Limit: rng.IntN(4) * rng.IntN(50), Reverse: rng.IntN(2) == 0}
			switch rng.IntN(4) {
			case 0:
				r.Start = nil
			case 1:
				r.End = nil
			}
			got, err := s.Scan(ctx, table, r)
			require.NoError(t, err)
			assert.Equal(t, m.scan(r), got, "table %s, range %+v", table, r)
		}
		keys := [][]byte{[]byte("k000000"), []byte("absent")}
		for k := range m {
			keys = append(keys, []byte(k))
			if len(keys) == 50 {
				break
			}
		}
		vs, err := s.GetMany(ctx, table, keys)
		require.NoError(t, err)
		for i, k := range keys {
			if v, ok := m[string(k)]; ok {
				assert.Equal(t, v, vs[i], "table %s key %s", table, k)
			} else {
				assert.Nil(t, vs[i], "table %s key %s", table, k)
			}
		}
	}
}

// TestMergePanics: a MergeFunc that panics leaves the store as it was
// (whether the key was there or not) and the store usable.
func TestMergePanics(t *testing.T) {
	tests := []struct {
		name    string
		present bool
	}{
		{"KeyAbsent", false},
		{"KeyPresent", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := memkv.New("a")
			if tc.present {
				require.NoError(t, commit(s, func(b *kv.Batch) { b.Put("a", []byte("m"), []byte("old")) }))
			}
			before := scanAll(t, s)
			require.Panics(t, func() {
				_ = commit(s, func(b *kv.Batch) {
					b.Put("a", []byte("x"), []byte("1"))
					b.Insert("a", []byte("y"), []byte("2"))
					b.Delete("a", []byte("m0"))
					b.Merge("a", []byte("m"), func(_ []byte, found bool) ([]byte, bool, error) {
						if found == tc.present {
							panic("merge")
						}
						return []byte("new"), true, nil
					})
				})
			})
			assert.Equal(t, before, scanAll(t, s), "nothing of the batch is applied")
			require.NoError(t, commit(s, func(b *kv.Batch) { b.Put("a", []byte("z"), []byte("3")) }), "the store is usable")
		})
	}
}

// TestReadsSeeWholeBatches: readers running beside commits only ever see
// every key of a batch written, never some.
func TestReadsSeeWholeBatches(t *testing.T) {
	const keys, batches = 200, 300
	s := memkv.New("a")
	var wg sync.WaitGroup
	done := make(chan struct{})
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				rows, err := s.Scan(ctx, "a", kv.Range{})
				if !assert.NoError(t, err) {
					return
				}
				for _, r := range rows[min(1, len(rows)):] {
					if !assert.Equal(t, rows[0].Value, r.Value, "one batch wrote every key") {
						return
					}
				}
				if len(rows) != 0 && !assert.Len(t, rows, keys) {
					return
				}
			}
		}()
	}
	for n := range batches {
		require.NoError(t, commit(s, func(b *kv.Batch) {
			for i := range keys {
				b.Put("a", fmt.Appendf(nil, "k%04d", i), fmt.Appendf(nil, "v%d", n))
			}
		}))
	}
	close(done)
	wg.Wait()
}

func commit(s kv.Store, build func(b *kv.Batch)) error {
	var b kv.Batch
	build(&b)
	return s.Commit(ctx, &b)
}

func scanAll(t *testing.T, s kv.Store) []kv.Pair {
	t.Helper()
	rows, err := s.Scan(ctx, "a", kv.Range{})
	require.NoError(t, err)
	return rows
}
