package paged

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tinylib/msgp/msgp"

	"github.com/idbsync/idbsync/core/kv"
)

// TestEncoding: the write-ahead rows and pages the store encodes by hand
// are byte for byte what the generated MarshalMsg writes for the records
// they decode to, so that the format is the records' whatever the encoder.
func TestEncoding(t *testing.T) {
	ctx := context.Background()
	m := NewMemory()
	s, err := Open(ctx, m.Handle(), Options{Tables: []string{"a", "bb"}, PageSize: 256, InlineMax: 64, MergeRows: 4, IdleMerge: -1})
	require.NoError(t, err)
	defer s.Close()
	withDead, rows := 0, 0
	for i := range 12 {
		var b kv.Batch
		b.Put("a", []byte(fmt.Sprintf("k%02d", i)), bytes.Repeat([]byte{byte(i)}, 10*i))  // inline, then out of line
		b.Put("bb", []byte(fmt.Sprintf("k%02d", i%3)), bytes.Repeat([]byte{byte(i)}, 70)) // out of line, replaced: dead
		b.Put("bb", []byte(fmt.Sprintf("e%02d", i)), nil)                                 // empty
		if i > 0 {
			b.Delete("a", []byte(fmt.Sprintf("k%02d", i-1)))
		}
		b.Insert("a", []byte(fmt.Sprintf("i%02d", i)), []byte("inserted"))
		require.NoError(t, s.Commit(ctx, &b))
		s.Settle()

		m.mu.Lock()
		for id, data := range m.wal {
			var rec walRecord
			_, err := rec.UnmarshalMsg(data)
			require.NoError(t, err, "row %d", id)
			rows++
			if len(rec.Dead) > 0 {
				withDead++
			}
			again, err := rec.MarshalMsg(nil)
			require.NoError(t, err)
			assert.Equal(t, again, data, "row %d", id)
		}
		for id, data := range m.pages {
			var p pageRecord
			_, err := p.UnmarshalMsg(data)
			require.NoError(t, err, "page %d", id)
			again, err := p.MarshalMsg(nil)
			require.NoError(t, err)
			assert.Equal(t, again, data, "page %d", id)
		}
		m.mu.Unlock()
	}
	_, pages, values, _ := m.Counts()
	assert.Positive(t, rows)
	assert.Greater(t, pages, 2)
	assert.Positive(t, values)
	assert.Positive(t, withDead, "rows with dead values")
}

func TestCompareKeys(t *testing.T) {
	keys := [][]byte{nil, {}, {0}, {0, 0}, {1}, []byte("abcdefgh"), []byte("abcdefgh\x00"), []byte("abcdefgi"), []byte("abcdefghabcdefgh"), []byte("abcdefghabcdefgi"), []byte("abcdefghabcdefgh1"), {0xff, 0, 0, 0, 0, 0, 0, 0, 1}, {0xff, 0, 0, 0, 0, 0, 0, 1, 0}}
	for _, a := range keys {
		for _, b := range keys {
			assert.Equal(t, bytes.Compare(a, b), compareKeys(a, b), "%x %x", a, b)
		}
	}
}

// TestPageLookups checks the page list's and a page's searches against
// plain ones, over keys that share prefixes of every length.
func TestPageLookups(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	key := func() []byte {
		k := make([]byte, rnd.IntN(12))
		for i := range k {
			k[i] = byte(rnd.IntN(3)) // few symbols: many ties
		}
		return k
	}
	for range 200 {
		var keys [][]byte
		for range 1 + rnd.IntN(60) {
			keys = append(keys, key())
		}
		slices.SortFunc(keys, bytes.Compare)
		keys = slices.CompactFunc(keys, bytes.Equal)
		var refs []pageRef
		entries := make([]pageEntry, len(keys))
		for i, k := range keys {
			refs = append(refs, pageRef{First: k, ID: uint64(i + 1)})
			entries[i] = pageEntry{Key: k}
		}
		tb := &table{}
		tb.setPages(refs)
		data, err := (&pageRecord{Entries: entries}).MarshalMsg(nil)
		require.NoError(t, err)
		p, err := decodePage(data)
		require.NoError(t, err)
		for range 50 {
			k := key()
			want := max(sort.Search(len(refs), func(i int) bool { return bytes.Compare(refs[i].First, k) > 0 })-1, 0)
			require.Equal(t, want, tb.pageOf(k), "pageOf %x in %x", k, keys)
			want = sort.Search(len(refs), func(i int) bool { return bytes.Compare(refs[i].First, k) >= 0 })
			require.Equal(t, want, tb.pageAtOrAbove(k), "pageAtOrAbove %x in %x", k, keys)
			j, found := p.find(k, keyHash(k))
			at := slices.IndexFunc(keys, func(x []byte) bool { return bytes.Equal(x, k) })
			require.Equal(t, at >= 0, found, "find %x in %x", k, keys)
			if found {
				require.Equal(t, at, j)
			}
		}
	}
}

// TestMemtableOrder: entries added in no order, scanned between writes
// from any key, come in key order, each once.
func TestMemtableOrder(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	m, a := newMemtable(), &arena{}
	want := map[string]bool{}
	for step := range 3000 {
		k := []byte(fmt.Sprintf("k%04d", rnd.IntN(2000)))
		e, _ := m.entry(k, keyHash(k), a)
		e.value = k
		want[string(k)] = true
		if rnd.IntN(50) != 0 {
			continue
		}
		start := []byte(fmt.Sprintf("k%04d", rnd.IntN(2000)))
		var exp []string
		for k := range want {
			if k >= string(start) {
				exp = append(exp, k)
			}
		}
		slices.Sort(exp)
		var got []string
		m.ascend(start, func(e *memEntry) bool {
			got = append(got, string(e.key))
			return true
		})
		require.Equal(t, exp, got, "step %d", step)
	}
	require.Len(t, m.all(), len(want))
	require.True(t, slices.IsSortedFunc(m.all(), cmpEntry))
}

// TestDecodePage: decodePage reads what the generated decoder reads, fields
// it does not know skipped, values absent, empty or out of line told apart.
func TestDecodePage(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 8))
	for range 300 {
		var rec pageRecord
		for i := range rnd.IntN(20) {
			e := pageEntry{Key: []byte(fmt.Sprintf("k%03d", i))}
			switch rnd.IntN(4) {
			case 0:
				e.Value = []byte{}
			case 1:
				e.Value = bytes.Repeat([]byte{byte(i)}, rnd.IntN(300))
			case 2:
				e.Ref = uint64(1 + rnd.IntN(1<<40))
			}
			rec.Entries = append(rec.Entries, e)
		}
		data, err := rec.MarshalMsg(nil)
		require.NoError(t, err)
		if rnd.IntN(3) == 0 {
			// A field a later build may add.
			data[0]++
			data = msgp.AppendString(data, "later")
			data = msgp.AppendBytes(data, []byte("anything"))
		}
		var want pageRecord
		_, err = want.UnmarshalMsg(data)
		require.NoError(t, err)
		p, err := decodePage(data)
		require.NoError(t, err)
		require.Equal(t, len(want.Entries), p.len())
		for i, e := range want.Entries {
			require.Equal(t, e, p.entry(i), "entry %d", i)
		}
	}
	for _, bad := range [][]byte{nil, {0x81}, {0x81, 0xa1, 'e', 0x92}, {0x81, 0xa1, 'e', 0xdd, 0xff, 0xff, 0xff, 0xff}} {
		_, err := decodePage(bad)
		require.Error(t, err, "%x", bad)
	}
}

func TestSortEntries(t *testing.T) {
	rnd := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{0, 1, 2, 3, 7, 100, 1000} {
		for _, shape := range []string{"random", "sorted", "reversed", "interleaved"} {
			ents := make([]*memEntry, n)
			for i := range ents {
				var k int
				switch shape {
				case "random":
					k = rnd.IntN(1 << 30)
				case "sorted":
					k = i
				case "reversed":
					k = n - i
				case "interleaved":
					k = (i%7)<<20 + i/7
				}
				ents[i] = &memEntry{key: []byte(fmt.Sprintf("%010d", k))}
			}
			got := sortEntries(slices.Clone(ents), make([]*memEntry, n))
			want := slices.Clone(ents)
			slices.SortStableFunc(want, cmpEntry)
			require.Equal(t, want, got, "%d %s", n, shape)
		}
	}
}
