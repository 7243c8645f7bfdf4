//go:build !js

package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/engine"
	"github.com/idbsync/idbsync/core/errcode"
	"github.com/idbsync/idbsync/core/kv/memkv"
	"github.com/idbsync/idbsync/core/syncer"
	"github.com/idbsync/idbsync/server"
)

// newBlobEnv is newEnv over a memkv with the blob settings of cfg.
func newBlobEnv(t *testing.T, cfg server.Config) *env {
	t.Helper()
	auth, err := server.NewAuth(secret, nil, nil)
	require.NoError(t, err)
	cfg.Store, cfg.Auth = memkv.New(), auth
	cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := server.New(cfg)
	require.NoError(t, err)
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.Close()
		_ = srv.Close()
	})
	return &env{url: hs.URL, auth: auth, srv: srv}
}

// answer is a response read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body, or fails the test.
func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var out map[string]any
	require.NoError(t, json.Unmarshal(a.body, &out), "%d %s", a.status, a.body)
	return out
}

// code is the error code of the answer ("" for none).
func (a answer) code() string {
	var out struct{ Code string }
	_ = json.Unmarshal(a.body, &out)
	return out.Code
}

// blobAPI calls the blob routes of one space with one token.
type blobAPI struct {
	t     *testing.T
	base  string // .../v1/spaces/{space}/
	token string
}

func (e *env) blobs(t *testing.T, space, token string) blobAPI {
	return blobAPI{t: t, base: e.url + "/v1/spaces/" + space + "/", token: token}
}

// do sends method to path with body and the extra header pairs kv.
func (b blobAPI) do(method, path string, body []byte, kv ...string) answer {
	b.t.Helper()
	req, err := http.NewRequest(method, b.base+path, bytes.NewReader(body))
	require.NoError(b.t, err)
	if b.token != "" {
		req.Header.Set("Authorization", "Bearer "+b.token)
	}
	for i := 0; i < len(kv); i += 2 {
		req.Header.Set(kv[i], kv[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(b.t, err)
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	require.NoError(b.t, err)
	return answer{status: res.StatusCode, header: res.Header, body: out}
}

// on is b reporting to t (a subtest's).
func (b blobAPI) on(t *testing.T) blobAPI {
	b.t = t
	return b
}

func (b blobAPI) putPart(hash string, size int64, n int, data []byte) answer {
	b.t.Helper()
	return b.do(http.MethodPut, fmt.Sprintf("blobs/%s/parts/%d?size=%d", hash, n, size), data)
}

// parts is what GET blobs/{hash}/parts lists.
func (b blobAPI) parts(hash string) []int {
	b.t.Helper()
	a := b.do(http.MethodGet, "blobs/"+hash+"/parts", nil)
	require.Equal(b.t, http.StatusOK, a.status, "%s", a.body)
	var out struct {
		Parts    []int `json:"parts"`
		PartSize int   `json:"partSize"`
	}
	require.NoError(b.t, json.Unmarshal(a.body, &out))
	require.Equal(b.t, engine.PartSize, out.PartSize)
	return out.Parts
}

// has is what POST blobs/has answers.
func (b blobAPI) has(hashes ...string) []bool {
	b.t.Helper()
	body, err := json.Marshal(map[string]any{"hashes": hashes})
	require.NoError(b.t, err)
	a := b.do(http.MethodPost, "blobs/has", body, "Content-Type", "application/json")
	require.Equal(b.t, http.StatusOK, a.status, "%s", a.body)
	var out struct{ Has []bool }
	require.NoError(b.t, json.Unmarshal(a.body, &out))
	return out.Has
}

// blobStats is what GET blobs answers.
type blobStats struct{ Contents, Parts, Blobs, Changes int }

func (b blobAPI) stats() blobStats {
	b.t.Helper()
	a := b.do(http.MethodGet, "blobs", nil)
	require.Equal(b.t, http.StatusOK, a.status, "%s", a.body)
	var out blobStats
	require.NoError(b.t, json.Unmarshal(a.body, &out))
	return out
}

// eventually polls cond every 10 ms for at most 10 s.
func eventually(t *testing.T, cond func() bool, msg string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out: ", msg)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// bytesOf is n bytes that differ with seed.
func bytesOf(seed byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = seed + byte(i%251)
	}
	return out
}

// split cuts data into parts of engine.PartSize.
func split(data []byte) [][]byte {
	var parts [][]byte
	for off := 0; off < len(data); off += engine.PartSize {
		parts = append(parts, data[off:min(off+engine.PartSize, len(data))])
	}
	return parts
}

// TestChunkedUpload: a 2.5 MiB blob goes up in three parts, in any order
// and resumed from what GET parts shows; it then reads whole and by Range,
// and blobs/has knows it.
func TestChunkedUpload(t *testing.T) {
	data := bytesOf(1, 5*engine.PartSize/2)
	hash, size := engine.HashBlob(data), int64(len(data))
	parts := split(data)
	require.Len(t, parts, 3)
	tests := []struct {
		name string
		// first is sent before the cut; the upload then resumes with
		// whatever GET parts does not list.
		first []int
	}{
		{"InOrder", []int{0, 1}},
		{"OutOfOrder", []int{2, 0}},
		{"LastOnly", []int{2}},
		{"NoneBeforeTheCut", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newBlobEnv(t, server.Config{})
			b := e.blobs(t, "s", e.token(t, uuid.New(), "s"))
			other := engine.HashBlob([]byte("never uploaded"))
			assert.Equal(t, []bool{false, false}, b.has(hash, other), "before")
			assert.Empty(t, b.parts(hash))

			for _, n := range tc.first {
				a := b.putPart(hash, size, n, parts[n])
				require.Equal(t, http.StatusOK, a.status, "%s", a.body)
				assert.Equal(t, map[string]any{"hash": hash, "part": float64(n), "complete": false}, a.json(t))
			}
			staged := b.parts(hash)
			assert.ElementsMatch(t, tc.first, staged)
			assert.Equal(t, len(tc.first), b.stats().Parts)
			assert.Equal(t, []bool{false}, b.has(hash), "not until the last part")

			// Resume: send what is not staged, noting which completed.
			var completed []int
			for n := range parts {
				if containsInt(staged, n) {
					continue
				}
				a := b.putPart(hash, size, n, parts[n])
				require.Equal(t, http.StatusOK, a.status, "%s", a.body)
				if a.json(t)["complete"] == true {
					completed = append(completed, n)
				}
			}
			require.Len(t, completed, 1, "exactly the last part sent completes it")
			assert.Empty(t, b.parts(hash), "parts dropped once assembled")
			assert.Equal(t, []bool{true, false}, b.has(hash, other), "after")
			assert.Equal(t, blobStats{Contents: 1, Blobs: 1}, b.stats())

			whole := b.do(http.MethodGet, "blobs/"+hash, nil)
			require.Equal(t, http.StatusOK, whole.status)
			assert.True(t, bytes.Equal(data, whole.body), "whole")
			assert.Equal(t, "bytes", whole.header.Get("Accept-Ranges"))

			again := b.putPart(hash, size, 1, parts[1])
			require.Equal(t, http.StatusOK, again.status)
			assert.Equal(t, true, again.json(t)["complete"], "a part of a stored blob: complete at once")
			assert.Empty(t, b.parts(hash))
		})
	}
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestBlobRange: GET with a Range answers 206 with those bytes.
func TestBlobRange(t *testing.T) {
	e := newBlobEnv(t, server.Config{})
	c := e.client(t, "s", e.token(t, uuid.New(), "s"))
	data := bytesOf(2, 5*engine.PartSize/2)
	hash, err := c.PutBlob(ctx, data)
	require.NoError(t, err)
	b := e.blobs(t, "s", e.token(t, uuid.New(), "s"))
	n := len(data)
	tests := []struct {
		name, rng    string
		status       int
		from, to     int // the bytes expected: data[from:to]
		contentRange string
	}{
		{"Start", "bytes=0-9", http.StatusPartialContent, 0, 10, fmt.Sprintf("bytes 0-9/%d", n)},
		{"AcrossParts", "bytes=1048570-1048585", http.StatusPartialContent, 1048570, 1048586, fmt.Sprintf("bytes 1048570-1048585/%d", n)},
		{"OpenEnded", fmt.Sprintf("bytes=%d-", n-100), http.StatusPartialContent, n - 100, n, fmt.Sprintf("bytes %d-%d/%d", n-100, n-1, n)},
		{"Suffix", "bytes=-7", http.StatusPartialContent, n - 7, n, fmt.Sprintf("bytes %d-%d/%d", n-7, n-1, n)},
		{"PastEnd", fmt.Sprintf("bytes=%d-", n), http.StatusRequestedRangeNotSatisfiable, 0, 0, fmt.Sprintf("bytes */%d", n)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := b.on(t)
			a := b.do(http.MethodGet, "blobs/"+hash, nil, "Range", tc.rng)
			require.Equal(t, tc.status, a.status, "%s", a.body)
			assert.Equal(t, tc.contentRange, a.header.Get("Content-Range"))
			if tc.status == http.StatusPartialContent {
				assert.True(t, bytes.Equal(data[tc.from:tc.to], a.body), "bytes %d to %d", tc.from, tc.to)
			}
		})
	}
}

// TestPartRefused: a part that cannot be what it says is 400
// INVALID_ARGUMENT (413 when larger than a part can be), and nothing is
// staged.
func TestPartRefused(t *testing.T) {
	e := newBlobEnv(t, server.Config{MaxBlob: 8 << 20})
	b := e.blobs(t, "s", e.token(t, uuid.New(), "s"))
	data := bytesOf(3, 5*engine.PartSize/2)
	hash, size := engine.HashBlob(data), int64(len(data))
	parts := split(data)
	path := func(n, size string) string { return "blobs/" + hash + "/parts/" + n + "?size=" + size }
	sz := fmt.Sprint(size)
	tests := []struct {
		name   string
		path   string
		body   []byte
		status int
		code   string
	}{
		{"ShortMiddle", path("1", sz), parts[1][:engine.PartSize-1], 400, errcode.CodeInvalidArgument},
		{"ShortLast", path("2", sz), parts[2][:len(parts[2])-1], 400, errcode.CodeInvalidArgument},
		{"FullAsLast", path("2", sz), parts[0], 400, errcode.CodeInvalidArgument},
		{"Empty", path("0", sz), nil, 400, errcode.CodeInvalidArgument},
		{"PastLast", path("3", sz), parts[2], 400, errcode.CodeInvalidArgument},
		{"NegativeN", path("-1", sz), parts[0], 400, errcode.CodeInvalidArgument},
		{"NotANumber", path("one", sz), parts[0], 400, errcode.CodeInvalidArgument},
		{"NoSize", "blobs/" + hash + "/parts/0", parts[0], 400, errcode.CodeInvalidArgument},
		{"ZeroSize", path("0", "0"), parts[0], 400, errcode.CodeInvalidArgument},
		{"SizeNotANumber", path("0", "big"), parts[0], 400, errcode.CodeInvalidArgument},
		{"SizePastMaxBlob", path("0", fmt.Sprint(8<<20+1)), parts[0], 400, errcode.CodeInvalidArgument},
		{"BadHash", "blobs/NOT-A-HASH/parts/0?size=" + sz, parts[0], 400, errcode.CodeInvalidArgument},
		{"LargerThanAPart", path("0", sz), append(bytes.Clone(parts[0]), 0), http.StatusRequestEntityTooLarge, errcode.CodeInvalidArgument},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := b.on(t)
			a := b.do(http.MethodPut, tc.path, tc.body)
			assert.Equal(t, tc.status, a.status, "%s", a.body)
			assert.Equal(t, tc.code, a.code(), "%s", a.body)
			assert.Empty(t, b.parts(hash), "nothing staged")
		})
	}
	assert.Equal(t, blobStats{}, b.stats())
	t.Run("BadHashes", func(t *testing.T) {
		b := b.on(t)
		for _, path := range []string{"blobs/nope/parts", "blobs/nope"} {
			a := b.do(http.MethodGet, path, nil)
			assert.Equal(t, http.StatusBadRequest, a.status, path)
			assert.Equal(t, errcode.CodeInvalidArgument, a.code(), path)
		}
		a := b.do(http.MethodPost, "blobs/has", []byte(`{"hashes":["nope"]}`))
		assert.Equal(t, http.StatusBadRequest, a.status)
		assert.Equal(t, errcode.CodeInvalidArgument, a.code())
		a = b.do(http.MethodPost, "blobs/has", []byte(`not json`))
		assert.Equal(t, http.StatusBadRequest, a.status)
		assert.Equal(t, errcode.CodeInvalidArgument, a.code())
	})
}

// TestPartsCorrupt: parts that assemble to bytes of another hash are 400
// CORRUPT at the last one; they are dropped and nothing is stored.
func TestPartsCorrupt(t *testing.T) {
	e := newBlobEnv(t, server.Config{})
	b := e.blobs(t, "s", e.token(t, uuid.New(), "s"))
	data := bytesOf(4, 5*engine.PartSize/2)
	hash, size := engine.HashBlob(data), int64(len(data))
	forged := split(bytesOf(5, len(data)))
	for _, n := range []int{0, 2} {
		a := b.putPart(hash, size, n, forged[n])
		require.Equal(t, http.StatusOK, a.status, "%s", a.body)
	}
	a := b.putPart(hash, size, 1, forged[1])
	assert.Equal(t, http.StatusBadRequest, a.status, "%s", a.body)
	assert.Equal(t, errcode.CodeCorrupt, a.code())

	assert.Empty(t, b.parts(hash), "dropped")
	assert.Equal(t, []bool{false}, b.has(hash))
	assert.Equal(t, http.StatusNotFound, b.do(http.MethodGet, "blobs/"+hash, nil).status)
	assert.Equal(t, blobStats{}, b.stats(), "nothing stored")

	for n, part := range split(data) {
		a := b.putPart(hash, size, n, part)
		require.Equal(t, http.StatusOK, a.status, "%s", a.body)
	}
	assert.Equal(t, []bool{true}, b.has(hash), "the upload starts again and succeeds")
}

// TestBlobCallsNeedAToken: every blob call without a valid token is 401
// UNAUTHENTICATED, and one for another space 403; nothing is stored.
func TestBlobCallsNeedAToken(t *testing.T) {
	e := newBlobEnv(t, server.Config{})
	data := []byte("secret attachment")
	hash := engine.HashBlob(data)
	calls := []struct {
		name, method, path string
		body               []byte
	}{
		{"Has", http.MethodPost, "blobs/has", []byte(`{"hashes":["` + hash + `"]}`)},
		{"Put", http.MethodPut, "blobs/" + hash, data},
		{"PutPart", http.MethodPut, "blobs/" + hash + "/parts/0?size=" + fmt.Sprint(len(data)), data},
		{"Parts", http.MethodGet, "blobs/" + hash + "/parts", nil},
		{"Get", http.MethodGet, "blobs/" + hash, nil},
		{"Stats", http.MethodGet, "blobs", nil},
	}
	tokens := []struct {
		name, token string
		status      int
		code        string
	}{
		{"NoToken", "", http.StatusUnauthorized, errcode.CodeUnauthenticated},
		{"Garbage", "not-a-jwt", http.StatusUnauthorized, errcode.CodeUnauthenticated},
		{"OtherSpace", e.token(t, uuid.New(), "other"), http.StatusForbidden, errcode.CodePermission},
	}
	for _, tok := range tokens {
		for _, c := range calls {
			t.Run(tok.name+"/"+c.name, func(t *testing.T) {
				a := e.blobs(t, "s", tok.token).do(c.method, c.path, c.body)
				assert.Equal(t, tok.status, a.status, "%s", a.body)
				assert.Equal(t, tok.code, a.code())
			})
		}
	}
	b := e.blobs(t, "s", e.token(t, uuid.New(), "s"))
	assert.Equal(t, []bool{false}, b.has(hash), "nothing stored")
	assert.Equal(t, blobStats{}, b.stats())
}

// TestBlobSweep: the server keeps uploaded bytes while an entry references
// them; once an entry deleting the reference is applied, its sweep deletes
// them, no earlier than BlobGrace after, as it does bytes nothing ever
// referenced and parts of an upload nobody completed.
func TestBlobSweep(t *testing.T) {
	const grace = 500 * time.Millisecond
	e := newBlobEnv(t, server.Config{BlobGrace: grace, BlobSweep: 20 * time.Millisecond})
	tok := e.token(t, uuid.New(), "s")
	c := e.client(t, "s", tok)
	b := e.blobs(t, "s", tok)
	d := device(t)

	photo := bytesOf(6, 100<<10)
	ref, err := d.PutBlob(ctx, "att/photo", photo)
	require.NoError(t, err)
	hash, err := c.PutBlob(ctx, photo) // the bytes first, then the entry
	require.NoError(t, err)
	require.Equal(t, ref.Hash, hash)
	_, err = syncer.Pull(ctx, c, d, syncer.Options{})
	require.NoError(t, err)

	orphan := bytesOf(7, 30<<10)
	orphanHash, err := c.PutBlob(ctx, orphan)
	require.NoError(t, err)
	staged := bytesOf(8, engine.PartSize+10)
	stagedHash := engine.HashBlob(staged)
	a := b.putPart(stagedHash, int64(len(staged)), 0, staged[:engine.PartSize])
	require.Equal(t, http.StatusOK, a.status, "%s", a.body)
	assert.Equal(t, blobStats{Contents: 2, Parts: 1, Blobs: 3}, b.stats())

	eventually(t, func() bool { s := b.stats(); return s.Contents == 1 && s.Parts == 0 }, "the orphan and the stale part are swept")
	assert.Equal(t, []bool{true, false}, b.has(hash, orphanHash), "what an entry references stays")
	assert.Empty(t, b.parts(stagedHash))

	require.NoError(t, d.DeleteBlob(ctx, "att/photo"))
	deleted := time.Now() // no sweep can see the photo unreferenced before
	_, err = syncer.Pull(ctx, c, d, syncer.Options{})
	require.NoError(t, err)
	eventually(t, func() bool { return b.stats().Contents == 0 }, "the unreferenced photo is swept")
	assert.GreaterOrEqual(t, time.Since(deleted), grace, "not before the grace")
	assert.Equal(t, blobStats{}, b.stats())
	assert.Equal(t, []bool{false}, b.has(hash))
	assert.Equal(t, http.StatusNotFound, b.do(http.MethodGet, "blobs/"+hash, nil).status)
}

// TestAttachmentNamedLikeAnOldBlob: an app's attachment whose key is
// "blob/<hash>" (the object name builds before attachments gave an
// uploaded blob) is not read as that blob: GET blobs/{hash} never answers
// bytes that do not hash to it, and blobs/has answers for it.
func TestAttachmentNamedLikeAnOldBlob(t *testing.T) {
	e := newBlobEnv(t, server.Config{})
	tok := e.token(t, uuid.New(), "s")
	c := e.client(t, "s", tok)
	b := e.blobs(t, "s", tok)
	d := device(t)
	claimed := engine.HashBlob([]byte("what a reader asks for"))
	tests := []struct {
		name   string
		upload bool // the attachment's own bytes are on the server
	}{
		{"BytesMissing", false},
		{"OtherBytesHere", true},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := b.on(t)
			other := bytesOf(byte(10+i), 20<<10)
			key := "blob/" + claimed
			require.NoError(t, noRefErr(d.PutBlob(ctx, key, other)))
			if tc.upload {
				_, err := c.PutBlob(ctx, other)
				require.NoError(t, err)
			}
			_, err := syncer.Pull(ctx, c, d, syncer.Options{})
			require.NoError(t, err)

			assert.Equal(t, []bool{false}, b.has(claimed))
			a := b.do(http.MethodGet, "blobs/"+claimed, nil)
			assert.Equal(t, http.StatusNotFound, a.status, "%.200s", a.body)
			assert.False(t, strings.Contains(string(a.body), string(other[:64])), "not the other bytes")
		})
	}
}

func noRefErr(_ engine.BlobRef, err error) error { return err }
