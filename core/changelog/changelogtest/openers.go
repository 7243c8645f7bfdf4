package changelogtest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/kv/kvtest"
)

// DurableOn is the LogOpener of a Durable over a fresh store of open, with
// no heartbeat timer: what every store runs RunLog with.
func DurableOn(open kvtest.Opener) LogOpener {
	return func(t testing.TB, now func() time.Time) changelog.Log {
		s := kvtest.OpenStore(t, open, kvtest.FreshName(t, "log"))
		d, err := changelog.OpenDurable(context.Background(), s, changelog.DurableOptions{Now: now, After: func(time.Duration) <-chan time.Time { return nil }})
		require.NoError(t, err)
		t.Cleanup(func() { _ = d.Close() })
		return d
	}
}

// KVBlobsOn is the BlobOpener of KVBlobs over a fresh store of open: what
// every store that may hold blobs runs RunBlobStore with.
func KVBlobsOn(open kvtest.Opener) BlobOpener {
	return func(t testing.TB) changelog.BlobStore {
		s := kvtest.OpenStore(t, open, kvtest.FreshName(t, "blobs"))
		b, err := changelog.NewKVBlobs(context.Background(), s, "", 0)
		require.NoError(t, err)
		return b
	}
}
