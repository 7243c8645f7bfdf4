//go:build js && wasm

package idb_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/kvtest"
	"github.com/idbsync/idbsync/idb"
)

func TestConformance(t *testing.T) {
	kvtest.Run(t, func(t *testing.T, name string) kv.Store {
		s, err := idb.Open(context.Background(), name, idb.Options{Tables: kvtest.Tables})
		require.NoError(t, err)
		return s
	})
}
