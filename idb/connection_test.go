//go:build js && wasm

package idb_test

import (
	"context"
	"fmt"
	"syscall/js"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/idb"
)

func dbName(t *testing.T) string {
	return fmt.Sprintf("%s-%d", t.Name(), time.Now().UnixNano())
}

// rawOpen opens name from plain JavaScript, with no versionchange handler:
// an old tab that never lets an upgrade through.
func rawOpen(t *testing.T, name string) js.Value {
	t.Helper()
	done := make(chan js.Value, 1)
	req := js.Global().Get("indexedDB").Call("open", name)
	var ok, fail js.Func
	ok = js.FuncOf(func(js.Value, []js.Value) any { done <- req.Get("result"); return nil })
	fail = js.FuncOf(func(js.Value, []js.Value) any { done <- js.Null(); return nil })
	defer ok.Release()
	defer fail.Release()
	req.Set("onsuccess", ok)
	req.Set("onerror", fail)
	db := <-done
	require.False(t, db.IsNull(), "raw open failed")
	return db
}

func put(ctx context.Context, s kv.Store, table, key, value string) error {
	var b kv.Batch
	b.Put(table, []byte(key), []byte(value))
	return s.Commit(ctx, &b)
}

func TestUpgradeFromAnotherConnectionClosesThisOne(t *testing.T) {
	ctx := context.Background()
	name := dbName(t)
	lost := make(chan error, 2)
	older, err := idb.Open(ctx, name, idb.Options{Tables: []string{"a"}, OnLost: func(err error) { lost <- err }})
	require.NoError(t, err)
	defer older.Close()
	require.NoError(t, put(ctx, older, "a", "k", "v1"))

	newer, err := idb.Open(ctx, name, idb.Options{Tables: []string{"a", "b"}})
	require.NoError(t, err, "the older connection must not block the upgrade")
	defer newer.Close()
	select {
	case err := <-lost:
		require.ErrorIs(t, err, kv.ErrClosed, "OnLost hears why")
	case <-time.After(5 * time.Second):
		t.Fatal("OnLost was not called")
	}

	err = put(ctx, older, "a", "k", "v2")
	require.ErrorIs(t, err, kv.ErrClosed)
	assert.Contains(t, err.Error(), "upgrading", "the message says why")
	_, err = older.Get(ctx, "a", []byte("k"))
	require.ErrorIs(t, err, kv.ErrClosed)

	v, err := newer.Get(ctx, "a", []byte("k"))
	require.NoError(t, err)
	assert.Equal(t, []byte("v1"), v, "the upgrade keeps the rows, and the closed store wrote nothing")
	require.NoError(t, put(ctx, newer, "b", "k", "new table"))
}

func TestBlockedUpgradeSettles(t *testing.T) {
	ctx := context.Background()
	name := dbName(t)
	s, err := idb.Open(ctx, name, idb.Options{Tables: []string{"a"}})
	require.NoError(t, err)
	require.NoError(t, s.Close())

	old := rawOpen(t, name)
	start := time.Now()
	_, err = idb.Open(ctx, name, idb.Options{Tables: []string{"a", "b"}, BlockedTimeout: 300 * time.Millisecond})
	require.ErrorIs(t, err, kv.ErrBlocked, "an upgrade the old connection blocks gives up")
	assert.Less(t, time.Since(start), 5*time.Second)

	old.Call("close")
	s, err = idb.Open(ctx, name, idb.Options{Tables: []string{"a", "b"}})
	require.NoError(t, err, "once the blocker is gone the upgrade goes through")
	defer s.Close()
	require.NoError(t, put(ctx, s, "b", "k", "v"))
}

func TestCorruptValueIsReported(t *testing.T) {
	ctx := context.Background()
	name := dbName(t)
	s, err := idb.Open(ctx, name, idb.Options{Tables: []string{"a"}})
	require.NoError(t, err)
	require.NoError(t, put(ctx, s, "a", "good", "v"))
	require.NoError(t, s.Close())

	// Another writer stores a string where this store keeps bytes.
	raw := rawOpen(t, name)
	done := make(chan struct{})
	tx := raw.Call("transaction", "a", "readwrite")
	key := js.Global().Get("Uint8Array").New(1)
	key.SetIndex(0, 'x')
	tx.Call("objectStore", "a").Call("put", "not bytes", key)
	var f js.Func
	f = js.FuncOf(func(js.Value, []js.Value) any { close(done); return nil })
	defer f.Release()
	tx.Set("oncomplete", f)
	<-done
	raw.Call("close")

	s, err = idb.Open(ctx, name, idb.Options{Tables: []string{"a"}})
	require.NoError(t, err)
	defer s.Close()
	_, err = s.Get(ctx, "a", []byte("x"))
	require.ErrorIs(t, err, kv.ErrCorrupt)
	_, err = s.Scan(ctx, "a", kv.Range{})
	require.ErrorIs(t, err, kv.ErrCorrupt)
	v, err := s.Get(ctx, "a", []byte("good"))
	require.NoError(t, err)
	assert.Equal(t, []byte("v"), v)
}

func TestDurabilityOption(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		d    idb.Durability
		ok   bool
	}{
		{"Default", "", true},
		{"Strict", idb.Strict, true},
		{"Relaxed", idb.Relaxed, true},
		{"Unknown", "eventually", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := idb.Open(ctx, dbName(t), idb.Options{Tables: []string{"a"}, Durability: tc.d})
			if !tc.ok {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "durability")
				return
			}
			require.NoError(t, err)
			defer s.Close()
			require.NoError(t, put(ctx, s, "a", "k", "v"))
			v, err := s.Get(ctx, "a", []byte("k"))
			require.NoError(t, err)
			assert.Equal(t, []byte("v"), v)
		})
	}
}

// TestGetWithEndingContext cancels a Get while it waits: it answers the
// value or the context's error, never "not found" for a present key.
func TestGetWithEndingContext(t *testing.T) {
	s, err := idb.Open(context.Background(), dbName(t), idb.Options{Tables: []string{"a"}})
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, put(context.Background(), s, "a", "k", "v"))
	for range 20 {
		ctx, cancel := context.WithCancel(context.Background())
		go cancel()
		v, err := s.Get(ctx, "a", []byte("k"))
		if err != nil {
			require.ErrorIs(t, err, context.Canceled)
			continue
		}
		assert.Equal(t, []byte("v"), v)
	}
}

// TestGetManyWithEndingContext cancels a GetMany while it waits: it answers
// the values or the context's error, and never hangs.
func TestGetManyWithEndingContext(t *testing.T) {
	s, err := idb.Open(context.Background(), dbName(t), idb.Options{Tables: []string{"a"}})
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, put(context.Background(), s, "a", "k", "v"))
	for range 20 {
		ctx, cancel := context.WithCancel(context.Background())
		go cancel()
		vs, err := s.GetMany(ctx, "a", [][]byte{[]byte("k"), []byte("absent")})
		if err != nil {
			require.ErrorIs(t, err, context.Canceled)
			continue
		}
		assert.Equal(t, [][]byte{[]byte("v"), nil}, vs)
	}
}
