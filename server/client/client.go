//go:build !js

// Package client is the Go side of the idbsync server's protocol: a
// syncer.Replica over HTTP for one space, for native clients, tools and
// tests. It attests (syncer.Attesting): the server vouches for the users of
// the entries it serves, so a pull from it keeps them. It takes attachments
// (syncer.BlobSink): a sync from an engine uploads the bytes a page
// references before the page, and FetchBlob downloads bytes written
// elsewhere.
package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/idbsync/idbsync/core/errcode"
	"github.com/idbsync/idbsync/core/oplog"
	"github.com/idbsync/idbsync/core/syncer"
	"github.com/idbsync/idbsync/server/internal/jsonindex"
)

// Options configure New. The zero value of every field but Token is ready
// to use.
type Options struct {
	// Token is the bearer token (a JWT) of every request.
	Token string
	// HTTP is the client; nil means one with Timeout.
	HTTP *http.Client
	// Timeout bounds each request when HTTP is nil; zero means 30 s.
	Timeout time.Duration
}

// Client is one space of a server, as a syncer.Replica.
type Client struct {
	base  string // ".../v1/spaces/{space}/"
	token string
	http  *http.Client
}

var (
	_ syncer.Replica   = (*Client)(nil)
	_ syncer.Attesting = (*Client)(nil)
	_ syncer.BlobSink  = (*Client)(nil)
)

// Bounds of the answers the client reads: more than that is not what the
// protocol says (oplog.ErrCorrupt), and costs no more memory than the bound.
const (
	// maxAnswer bounds a wire batch or a blob read whole.
	maxAnswer = 256 << 20
	// maxJSONAnswer bounds the JSON answer of a blob call.
	maxJSONAnswer = 1 << 20
	// maxErrorAnswer bounds the body of an error answer ({code, message}).
	maxErrorAnswer = 64 << 10
)

// New returns the client of space at the server whose root URL is base.
func New(base, space string, opts Options) (*Client, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("%w: server URL %q", errcode.ErrInvalidArgument, base)
	}
	hc := opts.HTTP
	if hc == nil {
		t := opts.Timeout
		if t <= 0 {
			t = 30 * time.Second
		}
		hc = &http.Client{Timeout: t}
	}
	u = u.JoinPath("v1", "spaces", space)
	return &Client{base: u.String() + "/", token: opts.Token, http: hc}, nil
}

// Attests implements syncer.Attesting.
func (c *Client) Attests() bool { return true }

// Error is an error the server answered: its code, message and status.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("server: %s (%d %s)", e.Message, e.Status, e.Code) }

// Is makes errors.Is(err, hlc.ErrClockSkew), errcode.ErrPermissionDenied
// and the like hold for the server's answer with the matching code.
func (e *Error) Is(target error) bool { return errcode.Matches(e.Code, target) }

// post sends body to call and returns the answer's body; a failure the
// server answered is an *Error, one it could not be asked is
// errcode.ErrUnavailable.
func (c *Client) post(ctx context.Context, call, contentType string, body []byte) ([]byte, error) {
	return c.do(ctx, http.MethodPost, call, contentType, body)
}

// do sends a request of method to call (see post).
func (c *Client) do(ctx context.Context, method, call, contentType string, body []byte) ([]byte, error) {
	out, _, err := c.send(ctx, method, call, contentType, body, maxAnswer)
	return out, err
}

// send is do with the bound of a successful answer's body (limit bytes;
// more is oplog.ErrCorrupt) and extra header pairs kv; it returns the
// answer's header too.
func (c *Client) send(ctx context.Context, method, call, contentType string, body []byte, limit int64, kv ...string) ([]byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+call, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		req.Header.Set(kv[i], kv[i+1])
	}
	res, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, fmt.Errorf("%w: %s: %v", errcode.ErrUnavailable, call, err)
	}
	defer res.Body.Close()
	ok := res.StatusCode/100 == 2
	bound := int64(maxErrorAnswer)
	if ok {
		bound = limit
	}
	// One byte past the bound tells an answer that is too long.
	out, err := io.ReadAll(io.LimitReader(res.Body, bound+1))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s: reading the answer: %v", errcode.ErrUnavailable, call, err)
	}
	if ok {
		if int64(len(out)) > limit {
			return nil, nil, fmt.Errorf("%w: %s: an answer of more than %d bytes", oplog.ErrCorrupt, call, limit)
		}
		return out, res.Header, nil
	}
	e := &Error{Status: res.StatusCode}
	var answer struct{ Code, Message string }
	if json.Unmarshal(out, &answer) == nil && answer.Code != "" {
		e.Code, e.Message = answer.Code, answer.Message
	} else {
		e.Code, e.Message = errcode.CodeUnavailable, fmt.Sprintf("%s: HTTP %d", call, res.StatusCode)
	}
	return nil, nil, e
}

// Cursors implements syncer.Replica.
func (c *Client) Cursors(ctx context.Context) (oplog.PeerCursors, error) {
	out, err := c.post(ctx, "cursors", "application/json", []byte("{}"))
	if err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(out, &raw); err != nil {
		return nil, fmt.Errorf("%w: cursors: %v", oplog.ErrCorrupt, err)
	}
	cur := make(oplog.PeerCursors, len(raw))
	for k, v := range raw {
		p, err := uuid.Parse(k)
		if err != nil {
			return nil, fmt.Errorf("%w: cursors: peer %q", oplog.ErrCorrupt, k)
		}
		n, err := jsonindex.Parse(v)
		if err != nil {
			return nil, fmt.Errorf("%w: cursors: %v", oplog.ErrCorrupt, err)
		}
		cur[p] = n
	}
	return cur, nil
}

// ReadSince implements syncer.Replica.
func (c *Client) ReadSince(ctx context.Context, peer uuid.UUID, from uint64, limit int) ([]byte, error) {
	body, _ := json.Marshal(map[string]any{"peer": peer.String(), "from": strconv.FormatUint(from, 10), "limit": limit})
	return c.post(ctx, "read-since", "application/json", body)
}

// Apply implements syncer.Replica: the server stamps the entries with the
// token's user.
func (c *Client) Apply(ctx context.Context, batch []byte) (oplog.BatchResult, error) {
	out, err := c.post(ctx, "apply", "application/octet-stream", batch)
	if err != nil {
		return oplog.BatchResult{}, err
	}
	var res struct{ Applied, Skipped int }
	if err := json.Unmarshal(out, &res); err != nil {
		return oplog.BatchResult{}, fmt.Errorf("%w: apply: %v", oplog.ErrCorrupt, err)
	}
	return oplog.BatchResult{Applied: res.Applied, Skipped: res.Skipped}, nil
}

// PutBlob uploads data, named by its SHA-256 (which it returns).
func (c *Client) PutBlob(ctx context.Context, data []byte) (string, error) {
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	_, err := c.do(ctx, http.MethodPut, "blobs/"+hash, "application/octet-stream", data)
	return hash, err
}

// GetBlob downloads the blob named hash; an unknown one is an *Error with
// status 404.
func (c *Client) GetBlob(ctx context.Context, hash string) ([]byte, error) {
	return c.do(ctx, http.MethodGet, "blobs/"+hash, "", nil)
}
