//go:build !js

package server_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/engine"
	"github.com/idbsync/idbsync/core/errcode"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/memkv"
	"github.com/idbsync/idbsync/core/oplog"
	"github.com/idbsync/idbsync/core/syncer"
	"github.com/idbsync/idbsync/server"
	"github.com/idbsync/idbsync/server/client"
)

var ctx = context.Background()

var secret = []byte("0123456789abcdef0123456789abcdef")

// env is a server over a store of its own, behind a loopback HTTP server.
type env struct {
	url  string
	auth *server.Auth
	srv  *server.Server
}

func newEnv(t testing.TB, store kv.Store, pub ed25519.PublicKey) *env {
	t.Helper()
	auth, err := server.NewAuth(secret, pub, nil)
	require.NoError(t, err)
	srv, err := server.New(server.Config{Store: store, Auth: auth, AllowOrigin: "*", Log: slog.New(slog.NewTextHandler(io.Discard, nil)), LivePoll: 50 * time.Millisecond})
	require.NoError(t, err)
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.Close()
		_ = srv.Close()
	})
	return &env{url: hs.URL, auth: auth, srv: srv}
}

func (e *env) token(t testing.TB, user uuid.UUID, spaces ...string) string {
	t.Helper()
	tok, err := e.auth.Token(user, spaces, time.Hour)
	require.NoError(t, err)
	return tok
}

func (e *env) client(t testing.TB, space, token string) *client.Client {
	t.Helper()
	c, err := client.New(e.url, space, client.Options{Token: token, Timeout: 10 * time.Second})
	require.NoError(t, err)
	return c
}

// device is a client's own engine.
func device(t *testing.T) *engine.Engine {
	t.Helper()
	e, err := engine.Open(ctx, engine.Options{Store: memkv.New()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Close() })
	return e
}

func put(t *testing.T, e *engine.Engine, kvs ...string) {
	t.Helper()
	ops := make([]oplog.Op, 0, len(kvs)/2)
	for i := 0; i < len(kvs); i += 2 {
		ops = append(ops, oplog.Put(kvs[i], []byte(kvs[i+1])))
	}
	_, err := e.Exec(ctx, ops...)
	require.NoError(t, err)
}

func entries(t *testing.T, r syncer.Replica, peer uuid.UUID) []oplog.Entry {
	t.Helper()
	b, err := r.ReadSince(ctx, peer, 0, 1000)
	require.NoError(t, err)
	es, err := oplog.DecodeBatch(b)
	require.NoError(t, err)
	return es
}

// TestTwoDevicesSyncThroughTheServer: two devices of one user converge
// through the server; the server stamps their entries with the user, and
// a device pulling from it keeps the stamp.
func TestTwoDevicesSyncThroughTheServer(t *testing.T) {
	e := newEnv(t, memkv.New(), nil)
	user := uuid.New()
	laptop, phone := device(t), device(t)
	c := e.client(t, "notes", e.token(t, user, "notes"))
	put(t, laptop, "note/1", "from the laptop", "note/2", "x")
	put(t, phone, "note/3", "from the phone")

	for range 2 {
		for _, d := range []*engine.Engine{laptop, phone} {
			_, err := syncer.Sync(ctx, d, c, syncer.Options{PageSize: 1})
			require.NoError(t, err)
		}
	}
	lc, err := laptop.Cursors(ctx)
	require.NoError(t, err)
	pc, err := phone.Cursors(ctx)
	require.NoError(t, err)
	sc, err := c.Cursors(ctx)
	require.NoError(t, err)
	assert.Equal(t, lc, pc)
	assert.Equal(t, lc, sc)
	v, _, err := phone.Get(ctx, "note/1")
	require.NoError(t, err)
	assert.Equal(t, "from the laptop", string(v))

	for _, es := range [][]oplog.Entry{entries(t, c, laptop.Peer()), entries(t, phone, laptop.Peer())} {
		require.Len(t, es, 2)
		for _, en := range es {
			assert.Equal(t, user, en.User, "stamped by the server, kept by a device that pulled from it")
		}
	}
	assert.Equal(t, uuid.Nil, entries(t, laptop, laptop.Peer())[0].User, "the author's own copy is as it wrote it")
}

// TestAuth: every way a request can lack the right to a space answers its
// code, and writes nothing.
func TestAuth(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	e := newEnv(t, memkv.New(), pub)
	user := uuid.New()
	sign := func(method jwt.SigningMethod, key any, c jwt.MapClaims) string {
		tok, err := jwt.NewWithClaims(method, c).SignedString(key)
		require.NoError(t, err)
		return tok
	}
	hour := time.Now().Add(time.Hour).Unix()
	tests := []struct {
		name  string
		token string
		code  string
	}{
		{"NoToken", "", errcode.CodeUnauthenticated},
		{"Garbage", "not-a-jwt", errcode.CodeUnauthenticated},
		{"Expired", sign(jwt.SigningMethodHS256, secret, jwt.MapClaims{"sub": user.String(), "spaces": []string{"*"}, "exp": time.Now().Add(-time.Minute).Unix()}), errcode.CodeUnauthenticated},
		{"WrongSecret", sign(jwt.SigningMethodHS256, []byte("another secret of 32 bytes......"), jwt.MapClaims{"sub": user.String(), "spaces": []string{"*"}, "exp": hour}), errcode.CodeUnauthenticated},
		{"NotAUserID", sign(jwt.SigningMethodHS256, secret, jwt.MapClaims{"sub": "alice", "spaces": []string{"*"}, "exp": hour}), errcode.CodeUnauthenticated},
		{"AlgNone", sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, jwt.MapClaims{"sub": user.String(), "spaces": []string{"*"}}), errcode.CodeUnauthenticated},
		{"SpaceNotGranted", e.token(t, user, "other"), errcode.CodePermission},
		{"NoSpaces", e.token(t, user), errcode.CodePermission},
		{"Granted", e.token(t, user, "notes"), ""},
		{"AllSpaces", e.token(t, user, "*"), ""},
		{"Ed25519", sign(jwt.SigningMethodEdDSA, priv, jwt.MapClaims{"sub": user.String(), "spaces": []string{"notes"}, "exp": hour}), ""},
	}
	batch := oplog.EncodeBatch([]oplog.Entry{{Peer: uuid.New(), TS: 1, Op: oplog.Put("k", []byte("v"))}})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := e.client(t, "notes", tc.token)
			_, err := c.Cursors(ctx)
			_, aerr := c.Apply(ctx, batch)
			if tc.code == "" {
				require.NoError(t, err)
				require.NoError(t, aerr)
				return
			}
			for _, err := range []error{err, aerr} {
				var se *client.Error
				require.ErrorAs(t, err, &se)
				assert.Equal(t, tc.code, se.Code, se.Message)
				assert.Equal(t, map[string]int{errcode.CodeUnauthenticated: 401, errcode.CodePermission: 403}[tc.code], se.Status)
			}
		})
	}
	c := e.client(t, "notes", e.token(t, user, "*"))
	got, err := c.Cursors(ctx)
	require.NoError(t, err)
	assert.Len(t, got, 1, "only the granted applies wrote, once")
}

// TestPeerBelongsToItsFirstPusher: a peer's entries pushed by another user
// than the one who first pushed them, or entries claiming another user, are
// PERMISSION_DENIED, and nothing of their batch is applied.
func TestPeerBelongsToItsFirstPusher(t *testing.T) {
	e := newEnv(t, memkv.New(), nil)
	alice, bob := uuid.New(), uuid.New()
	ca := e.client(t, "s", e.token(t, alice, "s"))
	cb := e.client(t, "s", e.token(t, bob, "s"))
	a := device(t)
	put(t, a, "k", "alice's")
	_, err := syncer.Pull(ctx, ca, a, syncer.Options{})
	require.NoError(t, err)

	put(t, a, "k", "more")
	theirs := entries(t, a, a.Peer())[1:]
	mine := oplog.Entry{Peer: uuid.New(), TS: 1, Op: oplog.Put("b", []byte("bob's"))}
	_, err = cb.Apply(ctx, oplog.EncodeBatch(append([]oplog.Entry{mine}, theirs...)))
	require.ErrorIs(t, err, errcode.ErrPermissionDenied, "bob pushes alice's peer")

	forged := oplog.Entry{Peer: uuid.New(), TS: 1, User: alice, Op: oplog.Put("f", []byte("x"))}
	_, err = cb.Apply(ctx, oplog.EncodeBatch([]oplog.Entry{forged}))
	require.ErrorIs(t, err, errcode.ErrPermissionDenied, "an entry claiming another user")

	cur, err := ca.Cursors(ctx)
	require.NoError(t, err)
	assert.Equal(t, oplog.PeerCursors{a.Peer(): 1}, cur, "nothing of either batch")

	res, err := ca.Apply(ctx, oplog.EncodeBatch(theirs))
	require.NoError(t, err, "alice's own push goes through")
	assert.Equal(t, 1, res.Applied)
}

// TestBadRequests: malformed input answers a code and a 4xx, never a 500.
func TestBadRequests(t *testing.T) {
	e := newEnv(t, memkv.New(), nil)
	tok := e.token(t, uuid.New(), "*")
	do := func(method, path, body string) (int, map[string]any) {
		req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out
	}
	tests := []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"BadSpace", "POST", "/v1/spaces/..%2f/cursors", "{}", 400, errcode.CodeInvalidArgument},
		{"LongSpace", "POST", "/v1/spaces/" + strings.Repeat("a", 65) + "/cursors", "{}", 400, errcode.CodeInvalidArgument},
		{"ReadSinceNotJSON", "POST", "/v1/spaces/s/read-since", "nope", 400, errcode.CodeInvalidArgument},
		{"ReadSinceBadPeer", "POST", "/v1/spaces/s/read-since", `{"peer":"x","from":0,"limit":1}`, 400, errcode.CodeInvalidArgument},
		{"ReadSinceNegative", "POST", "/v1/spaces/s/read-since", `{"peer":"` + uuid.NewString() + `","from":-1,"limit":1}`, 400, errcode.CodeInvalidArgument},
		{"ReadSinceNoLimit", "POST", "/v1/spaces/s/read-since", `{"peer":"` + uuid.NewString() + `","from":0}`, 400, errcode.CodeInvalidArgument},
		{"ApplyGarbage", "POST", "/v1/spaces/s/apply", "garbage", 400, errcode.CodeCorrupt},
		{"UnknownCall", "POST", "/v1/spaces/s/nope", "", 404, errcode.CodeInvalidArgument},
		{"WrongMethod", "GET", "/v1/spaces/s/apply", "", 404, errcode.CodeInvalidArgument},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, out := do(tc.method, tc.path, tc.body)
			assert.Equal(t, tc.status, status, "%v", out)
			assert.Equal(t, tc.code, out["code"], "%v", out)
		})
	}
	t.Run("ApplyTooLarge", func(t *testing.T) {
		big := bytes.Repeat([]byte{0}, oplog.MaxBatchBytes+128<<10)
		req, err := http.NewRequest("POST", e.url+"/v1/spaces/s/apply", bytes.NewReader(big))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		assert.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode)
	})
	t.Run("Healthz", func(t *testing.T) {
		res, err := http.Get(e.url + "/healthz")
		require.NoError(t, err)
		defer res.Body.Close()
		assert.Equal(t, http.StatusOK, res.StatusCode)
	})
}

// TestLive: the live channel sends the cursors at once and again when a
// push advances them.
func TestLive(t *testing.T) {
	e := newEnv(t, memkv.New(), nil)
	tok := e.token(t, uuid.New(), "s")
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, _, err := websocket.Dial(wctx, strings.Replace(e.url, "http", "ws", 1)+"/v1/spaces/s/live", nil)
	require.Error(t, err, "no token: refused")
	conn, _, err := websocket.Dial(wctx, strings.Replace(e.url, "http", "ws", 1)+"/v1/spaces/s/live?token="+tok, nil)
	require.NoError(t, err)
	defer conn.CloseNow()
	read := func() map[string]any {
		_, b, err := conn.Read(wctx)
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, json.Unmarshal(b, &m))
		return m
	}
	assert.Empty(t, read(), "the cursors of an empty space")
	d := device(t)
	put(t, d, "k", "v", "k2", "v2")
	_, err = syncer.Pull(ctx, e.client(t, "s", tok), d, syncer.Options{})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{d.Peer().String(): float64(2)}, read())
}

// TestCORS: a preflight from the allowed origin is answered without a token.
func TestCORS(t *testing.T) {
	e := newEnv(t, memkv.New(), nil)
	req, err := http.NewRequest(http.MethodOptions, e.url+"/v1/spaces/s/apply", nil)
	require.NoError(t, err)
	req.Header.Set("Origin", "http://app.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, http.StatusNoContent, res.StatusCode)
	assert.Equal(t, "http://app.example", res.Header.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, res.Header.Get("Access-Control-Allow-Headers"), "Authorization")
}

func TestSpacesAreSeparate(t *testing.T) {
	e := newEnv(t, memkv.New(), nil)
	tok := e.token(t, uuid.New(), "*")
	d := device(t)
	put(t, d, "k", "v")
	_, err := syncer.Pull(ctx, e.client(t, "one", tok), d, syncer.Options{})
	require.NoError(t, err)
	for space, want := range map[string]int{"one": 1, "two": 0} {
		c, err := e.client(t, space, tok).Cursors(ctx)
		require.NoError(t, err)
		assert.Len(t, c, want, fmt.Sprint(space))
	}
}

// TestBlobs: blobs are named by their content hash; a body that is not
// what its name says, a bad name, one too large are refused.
func TestBlobs(t *testing.T) {
	e := newEnv(t, memkv.New(), nil)
	c := e.client(t, "s", e.token(t, uuid.New(), "s"))
	data := bytes.Repeat([]byte("photo "), 20_000) // past the inline limit: the blob tier
	hash, err := c.PutBlob(ctx, data)
	require.NoError(t, err)
	got, err := c.GetBlob(ctx, hash)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(data, got))
	_, err = c.PutBlob(ctx, data)
	require.NoError(t, err, "a second upload of the same bytes is fine")

	var se *client.Error
	_, err = c.GetBlob(ctx, strings.Repeat("0", 64))
	require.ErrorAs(t, err, &se)
	assert.Equal(t, http.StatusNotFound, se.Status)

	put := func(name string, body []byte) (int, string) {
		req, err := http.NewRequest(http.MethodPut, e.url+"/v1/spaces/s/blobs/"+name, bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+e.token(t, uuid.New(), "s"))
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		code, _ := out["code"].(string)
		return res.StatusCode, code
	}
	status, code := put(hash, []byte("other bytes"))
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, errcode.CodeCorrupt, code, "a body whose hash is not its name")
	status, code = put("NOT-A-HASH", []byte("x"))
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, errcode.CodeInvalidArgument, code)
	big := make([]byte, 64<<20+1)
	status, _ = put(strings.Repeat("a", 64), big)
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)
	got, err = c.GetBlob(ctx, hash)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(data, got), "refused uploads changed nothing")
}
