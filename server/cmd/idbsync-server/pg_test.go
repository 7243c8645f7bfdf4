//go:build !js

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/errcode"
	"github.com/idbsync/idbsync/core/oplog"
	"github.com/idbsync/idbsync/core/syncer"
	"github.com/idbsync/idbsync/server"
	"github.com/idbsync/idbsync/server/client"
	"github.com/idbsync/idbsync/server/internal/pgtest"
	"github.com/idbsync/idbsync/server/internal/s3test"
	"github.com/idbsync/idbsync/server/s3blobs"
)

// scaledOut is two server processes over one PostgreSQL and one S3 bucket,
// with a token of one user.
type scaledOut struct {
	db    *pgtest.Cluster
	procs []*proc
	token string
}

func startScaledOut(t *testing.T, n int) *scaledOut {
	t.Helper()
	db := pgtest.Start(t)
	s3 := s3test.Start(t)
	o := s3.Options()
	dir := t.TempDir()
	secret := "a secret of at least thirty-two bytes, for the tests"
	secretFile := filepath.Join(dir, "secret")
	require.NoError(t, os.WriteFile(secretFile, []byte("  "+secret+"\n"), 0o600))
	blobs := fmt.Sprintf("s3://%s:%s@%s/%s?secure=false", o.AccessKey, o.SecretKey, o.Endpoint, o.Bucket)
	so := &scaledOut{db: db}
	for range n {
		so.procs = append(so.procs, start(t, false, "-store", db.URL(), "-blobs", blobs, "-jwt-secret-file", secretFile))
	}
	auth, err := server.NewAuth([]byte(secret), nil, nil)
	require.NoError(t, err)
	so.token, err = auth.Token(uuid.New(), []string{"*"}, time.Hour)
	require.NoError(t, err)
	return so
}

func (so *scaledOut) client(t *testing.T, i int) *client.Client {
	t.Helper()
	c, err := client.New(so.procs[i].url, "s", client.Options{Token: so.token, Timeout: 10 * time.Second})
	require.NoError(t, err)
	return c
}

// TestTwoProcessesOverPostgres: two clients push the same peer's entries
// through two server processes at once; each entry is stored once, and
// both processes serve the same log.
func TestTwoProcessesOverPostgres(t *testing.T) {
	so := startScaledOut(t, 2)
	ctx := context.Background()
	d := device(t)
	for j := range 20 {
		ops := make([]oplog.Op, 10)
		for k := range ops {
			ops[k] = oplog.Put(fmt.Sprintf("k%d", j*10+k), []byte("v"))
		}
		_, err := d.Exec(ctx, ops...)
		require.NoError(t, err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = syncer.Pull(ctx, so.client(t, i%2), d, syncer.Options{PageSize: 7})
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	for i := range so.procs {
		c := so.client(t, i)
		cur, err := c.Cursors(ctx)
		require.NoError(t, err)
		assert.Equal(t, oplog.PeerCursors{d.Peer(): 200}, cur, "process %d", i)
		b, err := c.ReadSince(ctx, d.Peer(), 0, 1000)
		require.NoError(t, err)
		es, err := oplog.DecodeBatch(b)
		require.NoError(t, err)
		require.Len(t, es, 200)
		for j, e := range es {
			require.Equal(t, uint64(j), e.Idx, "one copy of each")
		}
	}
}

// TestPostgresRestartedUnderTheServer: while the database is down, calls
// fail with UNAVAILABLE; once it is back they succeed again, with nothing
// lost.
func TestPostgresRestartedUnderTheServer(t *testing.T) {
	so := startScaledOut(t, 1)
	ctx := context.Background()
	c := so.client(t, 0)
	d := device(t)
	_, err := d.Exec(ctx, oplog.Put("before", []byte("v")))
	require.NoError(t, err)
	_, err = syncer.Pull(ctx, c, d, syncer.Options{})
	require.NoError(t, err)

	require.NoError(t, so.db.Stop())
	_, err = c.Cursors(ctx)
	require.ErrorIs(t, err, errcode.ErrUnavailable, "the database is down")
	var se *client.Error
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 503, se.Status)

	require.NoError(t, so.db.Start())
	_, err = d.Exec(ctx, oplog.Put("after", []byte("v")))
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		_, err := syncer.Pull(ctx, c, d, syncer.Options{})
		return err == nil
	}, 20*time.Second, 200*time.Millisecond, "the server recovers with the database")
	cur, err := c.Cursors(ctx)
	require.NoError(t, err)
	assert.Equal(t, oplog.PeerCursors{d.Peer(): 2}, cur)
}

// TestKilledMidUploadIsCollected: a process SIGKILLed in the middle of a
// blob upload (its bytes in S3, its reference not yet written) leaves an
// orphan; another process claims the dead one's change log instance and
// deletes it, and the blobs that were stored stay.
func TestKilledMidUploadIsCollected(t *testing.T) {
	db := pgtest.Start(t)
	s3 := s3test.Start(t)
	o := s3.Options()
	dir := t.TempDir()
	secret := "a secret of at least thirty-two bytes, for the tests"
	secretFile := filepath.Join(dir, "secret")
	require.NoError(t, os.WriteFile(secretFile, []byte(secret), 0o600))
	blobsURL := fmt.Sprintf("s3://%s:%s@%s/%s?secure=false", o.AccessKey, o.SecretKey, o.Endpoint, o.Bucket)
	args := []string{"-store", db.URL(), "-blobs", blobsURL, "-jwt-secret-file", secretFile, "-instance-interval", "1s"}
	survivor := start(t, false, args...)
	t.Setenv("IDBSYNC_FAILPOINT", "blob-written")
	doomed := start(t, false, args...)
	auth, err := server.NewAuth([]byte(secret), nil, nil)
	require.NoError(t, err)
	tok, err := auth.Token(uuid.New(), []string{"*"}, time.Hour)
	require.NoError(t, err)
	ctx := context.Background()
	clientOf := func(p *proc) *client.Client {
		c, err := client.New(p.url, "s", client.Options{Token: tok, Timeout: 10 * time.Second})
		require.NoError(t, err)
		return c
	}
	kept := bytes.Repeat([]byte("kept "), 50_000)
	keptHash, err := clientOf(survivor).PutBlob(ctx, kept)
	require.NoError(t, err)

	_, err = clientOf(doomed).PutBlob(ctx, bytes.Repeat([]byte("lost "), 50_000))
	require.ErrorIs(t, err, errcode.ErrUnavailable, "the process died mid-upload")
	_ = doomed.wait(t, 10*time.Second)

	tier, err := s3blobs.Open(ctx, s3blobs.Options{Endpoint: o.Endpoint, AccessKey: o.AccessKey, SecretKey: o.SecretKey, Bucket: o.Bucket, Prefix: "s"})
	require.NoError(t, err)
	revs, err := tier.Revisions(ctx)
	require.NoError(t, err)
	require.Len(t, revs, 2, "the kept blob and the dead process's orphan")
	require.Eventually(t, func() bool {
		revs, err := tier.Revisions(ctx)
		return err == nil && len(revs) == 1
	}, 20*time.Second, 100*time.Millisecond, "the survivor claims the dead instance and deletes its orphan")
	got, err := clientOf(survivor).GetBlob(ctx, keptHash)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(kept, got), "the stored blob stays")
}
