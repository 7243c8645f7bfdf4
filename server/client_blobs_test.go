//go:build !js

package server_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/engine"
	"github.com/idbsync/idbsync/core/errcode"
	"github.com/idbsync/idbsync/core/oplog"
	"github.com/idbsync/idbsync/core/syncer"
	"github.com/idbsync/idbsync/server"
	"github.com/idbsync/idbsync/server/client"
)

// tripLog is an http.RoundTripper that notes each call of a space ("PUT
// blobs/<hash>/parts/1") and fails the first PUT of part cut (when >= 0)
// once, as a connection that drops would.
type tripLog struct {
	space string
	cut   int

	mu    sync.Mutex
	calls []string
	cutAt bool // the cut happened
}

func (l *tripLog) RoundTrip(r *http.Request) (*http.Response, error) {
	call := r.Method + " " + strings.TrimPrefix(r.URL.Path, "/v1/spaces/"+l.space+"/")
	l.mu.Lock()
	l.calls = append(l.calls, call)
	cut := !l.cutAt && l.cut >= 0 && r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, fmt.Sprintf("/parts/%d", l.cut))
	if cut {
		l.cutAt = true
	}
	l.mu.Unlock()
	if cut {
		if r.Body != nil {
			_ = r.Body.Close()
		}
		return nil, errors.New("connection cut")
	}
	return http.DefaultTransport.RoundTrip(r)
}

// take returns the calls noted since the last take, the hashes of names
// written as their names, and forgets them.
func (l *tripLog) take(names map[string]string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.calls
	l.calls = nil
	for i, c := range out {
		for h, name := range names {
			c = strings.ReplaceAll(c, h, name)
		}
		out[i] = c
	}
	return out
}

// only keeps the calls that start with prefix.
func only(calls []string, prefix string) []string {
	var out []string
	for _, c := range calls {
		if strings.HasPrefix(c, prefix) {
			out = append(out, c)
		}
	}
	return out
}

// loggedClient is a client of space whose requests go through a new
// tripLog that cuts part cut (-1: none).
func (e *env) loggedClient(t *testing.T, space, token string, cut int) (*client.Client, *tripLog) {
	t.Helper()
	l := &tripLog{space: space, cut: cut}
	c, err := client.New(e.url, space, client.Options{Token: token, HTTP: &http.Client{Transport: l, Timeout: 10 * time.Second}})
	require.NoError(t, err)
	return c, l
}

// attachments is a device holding a 2.5 MiB attachment "photo" (three
// parts), then a small one "note", then a plain key.
func attachments(t *testing.T) (dev *engine.Engine, photo, note []byte, refs map[string]engine.BlobRef) {
	t.Helper()
	dev = device(t)
	photo, note = bytesOf(7, 5*engine.PartSize/2), []byte("a small attachment")
	refs = map[string]engine.BlobRef{}
	for _, a := range []struct {
		key  string
		data []byte
	}{{"photo", photo}, {"note", note}} {
		ref, err := dev.PutBlob(ctx, a.key, a.data)
		require.NoError(t, err)
		refs[a.key] = ref
	}
	put(t, dev, "title", "holiday")
	return dev, photo, note, refs
}

// names writes refs' hashes as their keys.
func names(refs map[string]engine.BlobRef) map[string]string {
	out := map[string]string{}
	for k, r := range refs {
		out[r.Hash] = k
	}
	return out
}

// TestClientCarriesAttachments: a sync of an engine through the client
// uploads the bytes of its attachments (the large one in parts) before the
// entries that reference them; another engine that syncs from the client
// gets the references, finds the bytes missing, and fetches them with
// FetchBlob (by Range parts when large) into StoreBlob, byte for byte.
func TestClientCarriesAttachments(t *testing.T) {
	e := newBlobEnv(t, server.Config{})
	tok := e.token(t, uuid.New(), "s")
	a, photo, note, refs := attachments(t)
	ca, la := e.loggedClient(t, "s", tok, -1)

	res, err := syncer.Sync(ctx, a, ca, syncer.Options{})
	require.NoError(t, err)
	assert.Equal(t, 3, res.ToB, "photo, note, title")
	assert.Equal(t, []string{
		"POST cursors", // a from the server: nothing
		"POST cursors", "POST blobs/has",
		"GET blobs/photo/parts", "PUT blobs/photo/parts/0", "PUT blobs/photo/parts/1", "PUT blobs/photo/parts/2",
		"PUT blobs/note",
		"POST apply", // the entries after their bytes
	}, la.take(names(refs)))
	st := e.blobs(t, "s", tok).stats()
	assert.Equal(t, 2, st.Contents)
	assert.Equal(t, 0, st.Parts)

	b := device(t)
	cb, lb := e.loggedClient(t, "s", tok, -1)
	res, err = syncer.Sync(ctx, b, cb, syncer.Options{})
	require.NoError(t, err)
	assert.Equal(t, 3, res.ToA)
	lb.take(nil)

	tests := []struct {
		key   string
		data  []byte
		gets  int // requests of the download
		whole bool
	}{
		{"photo", photo, 3, false},
		{"note", note, 1, true},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			_, _, err := b.GetBlob(ctx, tc.key)
			var missing *engine.MissingBlobError
			require.ErrorAs(t, err, &missing)
			assert.Equal(t, refs[tc.key], missing.Ref)

			data, err := cb.FetchBlob(ctx, missing.Ref.Hash, missing.Ref.Size)
			require.NoError(t, err)
			require.NoError(t, b.StoreBlob(ctx, missing.Ref.Hash, data))
			got, found, err := b.GetBlob(ctx, tc.key)
			require.NoError(t, err)
			require.True(t, found)
			assert.True(t, bytes.Equal(tc.data, got), "byte for byte")
			assert.Len(t, only(lb.take(nil), "GET blobs/"), tc.gets)
		})
	}
}

// TestClientResumesAnUploadCutShort: an upload whose connection drops at a
// part fails the sync's range (UNAVAILABLE), and no entry reaches the
// server; the next sync sends only the parts the server lacks, then the
// entries, and the blob reads whole on another device.
func TestClientResumesAnUploadCutShort(t *testing.T) {
	tests := []struct {
		name   string
		cut    int
		resent []string // the PUTs of the second sync
	}{
		{"AtTheFirstPart", 0, []string{"PUT blobs/photo/parts/0", "PUT blobs/photo/parts/1", "PUT blobs/photo/parts/2", "PUT blobs/note"}},
		{"AtTheSecondPart", 1, []string{"PUT blobs/photo/parts/1", "PUT blobs/photo/parts/2", "PUT blobs/note"}},
		{"AtTheLastPart", 2, []string{"PUT blobs/photo/parts/2", "PUT blobs/note"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newBlobEnv(t, server.Config{})
			tok := e.token(t, uuid.New(), "s")
			a, photo, _, refs := attachments(t)
			c, l := e.loggedClient(t, "s", tok, tc.cut)
			api := e.blobs(t, "s", tok)

			res, err := syncer.Sync(ctx, a, c, syncer.Options{})
			require.Error(t, err)
			assert.ErrorIs(t, err, syncer.ErrIncomplete)
			assert.ErrorIs(t, err, errcode.ErrUnavailable)
			assert.Equal(t, 0, res.ToB)
			require.Len(t, res.Errors, 1)
			assert.Equal(t, a.Peer(), res.Errors[0].Peer)
			calls := l.take(names(refs))
			assert.Empty(t, only(calls, "POST apply"), "no entry before its bytes")
			assert.Empty(t, only(calls, "PUT blobs/note"), "the sync stopped at the cut")
			cur, err := c.Cursors(ctx)
			require.NoError(t, err)
			assert.Zero(t, cur.Get(a.Peer()))
			st := api.stats()
			assert.Equal(t, 0, st.Contents)
			assert.Equal(t, tc.cut, st.Parts, "the parts before the cut")

			res, err = syncer.Sync(ctx, a, c, syncer.Options{})
			require.NoError(t, err)
			assert.Equal(t, 3, res.ToB)
			assert.Equal(t, tc.resent, only(l.take(names(refs)), "PUT "))
			st = api.stats()
			assert.Equal(t, 2, st.Contents)
			assert.Equal(t, 0, st.Parts)

			b := device(t)
			_, err = syncer.Sync(ctx, b, c, syncer.Options{})
			require.NoError(t, err)
			ref := refs["photo"]
			data, err := c.FetchBlob(ctx, ref.Hash, ref.Size)
			require.NoError(t, err)
			require.NoError(t, b.StoreBlob(ctx, ref.Hash, data))
			got, _, err := b.GetBlob(ctx, "photo")
			require.NoError(t, err)
			assert.True(t, bytes.Equal(photo, got), "byte for byte")
		})
	}
}

// TestClientHasBlobs: HasBlobs answers in the order asked, in batches of
// at most 1000 hashes; a hash that is not a lowercase hex SHA-256 is the
// server's INVALID_ARGUMENT.
func TestClientHasBlobs(t *testing.T) {
	e := newBlobEnv(t, server.Config{})
	tok := e.token(t, uuid.New(), "s")
	c, l := e.loggedClient(t, "s", tok, -1)
	small, large := []byte("stored"), bytesOf(9, engine.PartSize+1)
	for _, data := range [][]byte{small, large} {
		require.NoError(t, c.StoreBlob(ctx, engine.HashBlob(data), data))
	}
	stored, big := engine.HashBlob(small), engine.HashBlob(large)
	absent := func(i int) string { return engine.HashBlob([]byte(fmt.Sprint("absent ", i))) }

	many, manyWant := make([]string, 2500), make([]bool, 2500)
	for i := range many {
		many[i], manyWant[i] = absent(i), i%7 == 3
		if manyWant[i] {
			many[i] = stored
		}
	}
	tests := []struct {
		name     string
		hashes   []string
		want     []bool
		requests int
		code     string // the server's error code, "" for none
	}{
		{name: "None", hashes: nil, want: []bool{}, requests: 0},
		{name: "Mixed", hashes: []string{stored, absent(1), big}, want: []bool{true, false, true}, requests: 1},
		{name: "MoreThanABatch", hashes: many, want: manyWant, requests: 3},
		{name: "NotAHash", hashes: []string{"NOT-A-HASH"}, requests: 1, code: errcode.CodeInvalidArgument},
		{name: "Uppercase", hashes: []string{strings.ToUpper(stored)}, requests: 1, code: errcode.CodeInvalidArgument},
		{name: "Short", hashes: []string{stored[:63]}, requests: 1, code: errcode.CodeInvalidArgument},
		{name: "OneBadAmongGood", hashes: []string{stored, "", big}, requests: 1, code: errcode.CodeInvalidArgument},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l.take(nil)
			has, err := c.HasBlobs(ctx, tc.hashes)
			assert.Len(t, l.take(nil), tc.requests, "requests")
			if tc.code != "" {
				var se *client.Error
				require.ErrorAs(t, err, &se)
				assert.Equal(t, tc.code, se.Code)
				assert.Equal(t, http.StatusBadRequest, se.Status)
				assert.ErrorIs(t, err, errcode.ErrInvalidArgument)
				assert.Equal(t, tc.code, errcode.Code(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, has)
		})
	}
}

// TestClientBlobRefusals: what StoreBlob and FetchBlob refuse, and the
// codes they say it with; a refusal the client can tell sends nothing.
func TestClientBlobRefusals(t *testing.T) {
	e := newBlobEnv(t, server.Config{})
	tok := e.token(t, uuid.New(), "s")
	c, l := e.loggedClient(t, "s", tok, -1)
	small, large := []byte("small bytes"), bytesOf(5, 2*engine.PartSize+10)
	hs, hl := engine.HashBlob(small), engine.HashBlob(large)
	for _, data := range [][]byte{small, large} {
		require.NoError(t, c.StoreBlob(ctx, engine.HashBlob(data), data))
	}
	tests := []struct {
		name     string
		call     func() error
		want     error // errors.Is
		status   int   // of a *client.Error; 0 for an error of the client's own
		requests int
	}{
		{"StoreBadHash", func() error { return c.StoreBlob(ctx, "../apply", small) }, errcode.ErrInvalidArgument, 0, 0},
		{"StoreOtherBytes", func() error { return c.StoreBlob(ctx, hs, []byte("other")) }, oplog.ErrCorrupt, 0, 0},
		{"FetchBadHash", func() error { _, err := c.FetchBlob(ctx, "NOT-A-HASH", 1); return err }, errcode.ErrInvalidArgument, 0, 0},
		{"FetchNegativeSize", func() error { _, err := c.FetchBlob(ctx, hs, -1); return err }, errcode.ErrInvalidArgument, 0, 0},
		{"FetchUnknown", func() error { _, err := c.FetchBlob(ctx, engine.HashBlob([]byte("nobody")), 5); return err }, errcode.ErrInvalidArgument, http.StatusNotFound, 1},
		{"FetchSmallTooShort", func() error { _, err := c.FetchBlob(ctx, hs, int64(len(small))-1); return err }, oplog.ErrCorrupt, 0, 1},
		{"FetchSmallTooLong", func() error { _, err := c.FetchBlob(ctx, hs, int64(len(small))+1); return err }, oplog.ErrCorrupt, 0, 1},
		{"FetchLargeTooShort", func() error { _, err := c.FetchBlob(ctx, hl, int64(len(large))-1); return err }, oplog.ErrCorrupt, 0, 1},
		{"FetchLargeTooLong", func() error { _, err := c.FetchBlob(ctx, hl, int64(len(large))+1); return err }, oplog.ErrCorrupt, 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l.take(nil)
			err := tc.call()
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.want)
			var se *client.Error
			if tc.status == 0 {
				assert.False(t, errors.As(err, &se), "%v", err)
			} else if assert.ErrorAs(t, err, &se) {
				assert.Equal(t, tc.status, se.Status)
			}
			assert.Len(t, l.take(nil), tc.requests, "requests")
		})
	}
	got, err := c.FetchBlob(ctx, hl, int64(len(large)))
	require.NoError(t, err)
	assert.True(t, bytes.Equal(large, got))
}
