//go:build !js

package pgkv_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/changelog/changelogtest"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/kvtest"
	"github.com/idbsync/idbsync/core/oplog/oplogtest"
	"github.com/idbsync/idbsync/server/internal/pgtest"
	"github.com/idbsync/idbsync/server/pgkv"
)

var ctx = context.Background()

func TestMain(m *testing.M) { pgtest.Main(m) }

// namespace maps a suite's store name (long, any characters) to a schema
// name within PostgreSQL's 63 bytes: a readable head and a hash of it all.
func namespace(name string) string {
	sum := sha256.Sum256([]byte(name))
	head := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return '_'
	}, name)
	if len(head) > 40 {
		head = head[:40]
	}
	return head + "_" + hex.EncodeToString(sum[:8])
}

// opener opens stores on the shared cluster with tables; every open is a
// new Store with its own connections, as a second server process would be.
func opener(tables ...string) kvtest.Opener {
	return func(t testing.TB, name string) kv.Store {
		t.Helper()
		return open(t, pgtest.Shared(t).URL(), name, tables...)
	}
}

func open(t testing.TB, url, name string, tables ...string) *pgkv.Store {
	t.Helper()
	s, err := pgkv.Open(ctx, url, pgkv.Options{Namespace: namespace(name), Tables: tables})
	require.NoError(t, err)
	return s
}

// never is a timer that never fires: no heartbeat runs on its own.
func never(time.Duration) <-chan time.Time { return nil }

func TestConformance(t *testing.T) {
	kvtest.Run(t, opener(kvtest.Tables...))
}

func TestOplog(t *testing.T) {
	oplogtest.Run(t, opener()) // oplog.Open creates its tables
}

func TestChangelog(t *testing.T) {
	changelogtest.Run(t, opener())
}

func TestChangelogManager(t *testing.T) {
	changelogtest.RunManager(t, opener())
}

func TestChangelogLog(t *testing.T) {
	changelogtest.RunLog(t, func(t testing.TB, now func() time.Time) changelog.Log {
		s := kvtest.OpenStore(t, opener(), kvtest.FreshName(t, "log"))
		d, err := changelog.OpenDurable(ctx, s, changelog.DurableOptions{Now: now, After: never})
		require.NoError(t, err)
		t.Cleanup(func() { _ = d.Close() })
		return d
	})
}

func TestBlobStore(t *testing.T) {
	changelogtest.RunBlobStore(t, changelogtest.KVBlobsOn(opener()))
}

func BenchmarkStore(b *testing.B) {
	kvtest.Benchmark(b, opener(kvtest.Tables...))
}

func BenchmarkOplog(b *testing.B) {
	oplogtest.Benchmark(b, opener())
}
