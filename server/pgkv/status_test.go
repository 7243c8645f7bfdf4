//go:build !js

package pgkv

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/server/internal/pgtest"
)

// TestXactStatus checks the statements resolve relies on after a lost
// COMMIT: a committed transaction reads committed; one still in progress is
// ended, so it reads aborted from then on.
func TestXactStatus(t *testing.T) {
	ctx := context.Background()
	url := pgtest.Shared(t).URL()
	s, err := Open(ctx, url, Options{Namespace: "xact-status"})
	require.NoError(t, err)
	defer s.Close()

	xidOf := func(c *pgx.Conn) string {
		var xid string
		require.NoError(t, c.QueryRow(ctx, "select pg_current_xact_id()::text").Scan(&xid))
		return xid
	}
	done, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer done.Close(ctx)
	_, err = done.Exec(ctx, "begin")
	require.NoError(t, err)
	committed := xidOf(done)
	_, err = done.Exec(ctx, "commit")
	require.NoError(t, err)

	hung, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer hung.Close(ctx)
	_, err = hung.Exec(ctx, "begin")
	require.NoError(t, err)
	running := xidOf(hung)

	tests := []struct {
		name string
		xid  string
		pid  uint32
		want string
	}{
		{"Committed", committed, done.PgConn().PID(), "committed"},
		{"InProgressIsEnded", running, hung.PgConn().PID(), "in progress"},
		{"ThenAborted", running, hung.PgConn().PID(), "aborted"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Eventually(t, func() bool {
				got, err := s.xactStatus(ctx, tc.xid, tc.pid)
				return err == nil && got == tc.want
			}, 5e9, 5e7)
		})
	}
	assert.NoError(t, s.resolve(ctx, committed, 0, assert.AnError), "a committed batch is reported applied")
	assert.Error(t, s.resolve(ctx, running, 0, assert.AnError))
}
