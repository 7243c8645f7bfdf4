//go:build !js

package client_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/engine"
	"github.com/idbsync/idbsync/core/errcode"
	"github.com/idbsync/idbsync/core/oplog"
	"github.com/idbsync/idbsync/server/client"
)

var ctx = context.Background()

// stub is a server of one space whose answers a test writes: answer gets
// the call ("PUT blobs/h/parts/2", the blob's hash written h) and the
// request, and returns the status and body. It notes the calls.
type stub struct {
	t      *testing.T
	hash   string
	answer func(call string, r *http.Request) (int, []byte)

	mu    sync.Mutex
	calls []string
}

func (s *stub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	call := r.Method + " " + strings.ReplaceAll(strings.TrimPrefix(r.URL.Path, "/v1/spaces/s/"), s.hash, "h")
	_, _ = io.Copy(io.Discard, r.Body)
	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.mu.Unlock()
	status, body := s.answer(call, r)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (s *stub) noted() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

// serve starts s and returns its client.
func (s *stub) serve() *client.Client {
	hs := httptest.NewServer(s)
	s.t.Cleanup(hs.Close)
	c, err := client.New(hs.URL, "s", client.Options{Token: "t", Timeout: 10 * time.Second})
	require.NoError(s.t, err)
	return c
}

// bytesOf is n bytes that differ with seed.
func bytesOf(seed byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = seed + byte(i%251)
	}
	return out
}

// TestStoreBlobRounds: what StoreBlob sends, round by round, for what the
// server says it has; and the answers it refuses.
func TestStoreBlobRounds(t *testing.T) {
	data := bytesOf(1, 5*engine.PartSize/2) // parts 0, 1, 2
	hash := engine.HashBlob(data)
	// server answers GET parts with parts(round) and PUT part n with
	// complete(n); rounds counts the GETs of parts.
	type server struct {
		parts    func(round int) string
		complete func(n int) string
	}
	tests := []struct {
		name   string
		server server
		calls  []string
		want   error // errors.Is; nil for success
	}{
		{
			name:   "NoneStaged",
			server: server{func(int) string { return `{"parts":[],"partSize":1048576}` }, func(n int) string { return fmt.Sprintf(`{"complete":%t}`, n == 2) }},
			calls:  []string{"GET blobs/h/parts", "PUT blobs/h/parts/0", "PUT blobs/h/parts/1", "PUT blobs/h/parts/2"},
		},
		{
			name:   "OnlyTheMissingInOrder",
			server: server{func(int) string { return `{"parts":[1]}` }, func(n int) string { return fmt.Sprintf(`{"complete":%t}`, n == 2) }},
			calls:  []string{"GET blobs/h/parts", "PUT blobs/h/parts/0", "PUT blobs/h/parts/2"},
		},
		{
			name:   "AllStagedNotAssembled",
			server: server{func(int) string { return `{"parts":[0,1,2,7]}` }, func(n int) string { return `{"complete":true}` }},
			calls:  []string{"GET blobs/h/parts", "PUT blobs/h/parts/2"},
		},
		{
			name: "PartsCollectedMeanwhile",
			server: server{func(round int) string {
				if round == 0 {
					return `{"parts":[]}`
				}
				return `{"parts":[0,2]}`
			}, func(n int) string { return `{"complete":false}` }},
			calls: []string{
				"GET blobs/h/parts", "PUT blobs/h/parts/0", "PUT blobs/h/parts/1", "PUT blobs/h/parts/2",
				"GET blobs/h/parts", "PUT blobs/h/parts/1",
				"GET blobs/h/parts", "PUT blobs/h/parts/1",
			},
			want: errcode.ErrUnavailable,
		},
		{
			name:   "CompletesEarly",
			server: server{func(int) string { return `{"parts":[]}` }, func(n int) string { return `{"complete":true}` }},
			calls:  []string{"GET blobs/h/parts", "PUT blobs/h/parts/0"},
		},
		{
			name:   "PartsNull",
			server: server{func(int) string { return `{"parts":null}` }, nil},
			calls:  []string{"GET blobs/h/parts"},
			want:   oplog.ErrCorrupt,
		},
		{
			name:   "NegativePart",
			server: server{func(int) string { return `{"parts":[-1]}` }, nil},
			calls:  []string{"GET blobs/h/parts"},
			want:   oplog.ErrCorrupt,
		},
		{
			name:   "OtherPartSize",
			server: server{func(int) string { return `{"parts":[],"partSize":4096}` }, nil},
			calls:  []string{"GET blobs/h/parts"},
			want:   oplog.ErrCorrupt,
		},
		{
			name:   "NoComplete",
			server: server{func(int) string { return `{"parts":[]}` }, func(int) string { return `{"hash":"h"}` }},
			calls:  []string{"GET blobs/h/parts", "PUT blobs/h/parts/0"},
			want:   oplog.ErrCorrupt,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			round := 0
			s := &stub{t: t, hash: hash, answer: func(call string, r *http.Request) (int, []byte) {
				if call == "GET blobs/h/parts" {
					round++
					return http.StatusOK, []byte(tc.server.parts(round - 1))
				}
				var n int
				_, err := fmt.Sscanf(call, "PUT blobs/h/parts/%d", &n)
				assert.NoError(t, err, call) // not require: the server's goroutine
				assert.Equal(t, fmt.Sprint(len(data)), r.URL.Query().Get("size"))
				return http.StatusOK, []byte(tc.server.complete(n))
			}}
			err := s.serve().StoreBlob(ctx, hash, data)
			if tc.want == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tc.want)
			}
			assert.Equal(t, tc.calls, s.noted())
		})
	}
}

// TestBlobAnswers: answers of blobs/has and GET blobs that are not what the
// protocol says are oplog.ErrCorrupt; a server that ignores the Range is
// read whole at once; an error that is not {code, message} is UNAVAILABLE.
func TestBlobAnswers(t *testing.T) {
	large := bytesOf(2, 2*engine.PartSize+1)
	hl := engine.HashBlob(large)
	two := []string{hl, engine.HashBlob(nil)}
	tests := []struct {
		name   string
		status int
		body   []byte
		call   func(c *client.Client) error
		want   error // errors.Is; nil for success
		calls  int
	}{
		{"HasTooFew", 200, []byte(`{"has":[true]}`), func(c *client.Client) error { _, err := c.HasBlobs(ctx, two); return err }, oplog.ErrCorrupt, 1},
		{"HasNull", 200, []byte(`{"has":[true,null]}`), func(c *client.Client) error { _, err := c.HasBlobs(ctx, two); return err }, oplog.ErrCorrupt, 1},
		{"HasNotJSON", 200, []byte(`yes`), func(c *client.Client) error { _, err := c.HasBlobs(ctx, two); return err }, oplog.ErrCorrupt, 1},
		{"HasTooLong", 200, append([]byte(`{"has":[true,false]}`), bytes.Repeat([]byte(" "), 1<<20)...), func(c *client.Client) error { _, err := c.HasBlobs(ctx, two); return err }, oplog.ErrCorrupt, 1},
		{"HasDownNotJSON", 503, []byte(`busy`), func(c *client.Client) error { _, err := c.HasBlobs(ctx, two); return err }, errcode.ErrUnavailable, 1},
		{"RangeIgnored", 200, large, func(c *client.Client) error {
			got, err := c.FetchBlob(ctx, hl, int64(len(large)))
			if err == nil && !bytes.Equal(large, got) {
				return fmt.Errorf("other bytes")
			}
			return err
		}, nil, 1},
		{"WholeTooLong", 200, large, func(c *client.Client) error { _, err := c.FetchBlob(ctx, hl, 10); return err }, oplog.ErrCorrupt, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &stub{t: t, hash: hl, answer: func(string, *http.Request) (int, []byte) { return tc.status, tc.body }}
			err := tc.call(s.serve())
			if tc.want == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tc.want)
			}
			assert.Len(t, s.noted(), tc.calls)
		})
	}
}
