//go:build js && wasm

package jsbridge

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/engine"
	"github.com/idbsync/idbsync/core/kv/kvtest"
)

// TestEngineLiveness: two engines of this page on one database; when one
// loses its Web Lock without closing (its tab died), the other sees it dead
// at once and claims it, with no heartbeat to wait for.
func TestEngineLiveness(t *testing.T) {
	ctx := context.Background()
	name := kvtest.FreshName(t, "jsbridge")
	a, err := OpenEngine(ctx, Options{Name: name})
	require.NoError(t, err)
	defer a.Close()
	b, err := OpenEngine(ctx, Options{Name: name})
	require.NoError(t, err)
	defer b.Close()
	assert.Equal(t, a.Peer(), b.Peer())
	assert.NotEqual(t, a.Instance(), b.Instance())

	s, err := b.Stats(ctx)
	require.NoError(t, err)
	assert.Equal(t, engine.Stats{Instances: 2}, s, "both hold their locks")

	a.release() // the tab of a dies: the browser frees its lock
	s, err = b.Stats(ctx)
	require.NoError(t, err)
	assert.Equal(t, engine.Stats{Instances: 2, Dead: 1}, s)
	_, err = b.Recover(ctx)
	require.NoError(t, err)
	s, err = b.Stats(ctx)
	require.NoError(t, err)
	assert.Equal(t, engine.Stats{Instances: 1}, s, "claimed and gone, at once")
}
