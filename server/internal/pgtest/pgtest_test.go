//go:build !js

package pgtest_test

import (
	"net"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/server/internal/pgtest"
)

// TestStartStop starts a cluster, stops it (its port closes) and starts it
// again on the same port.
func TestStartStop(t *testing.T) {
	c := pgtest.Start(t)
	dial := func() error {
		conn, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(c.Port())))
		if err == nil {
			_ = conn.Close()
		}
		return err
	}
	require.NoError(t, dial(), "a started cluster listens")
	require.Contains(t, c.URL(), strconv.Itoa(c.Port()))
	require.NoError(t, c.Stop())
	require.NoError(t, c.Stop(), "stopping a stopped cluster is a no-op")
	require.Error(t, dial(), "a stopped cluster does not listen")
	require.NoError(t, c.Start())
	require.NoError(t, dial(), "a restarted cluster listens on the same port")
	require.NoError(t, c.Restart())
	require.NoError(t, c.Close())
	require.NoError(t, c.Close(), "Close is idempotent")
}
