//go:build !js

package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/idbsync/idbsync/core/engine"
	"github.com/idbsync/idbsync/core/errcode"
	"github.com/idbsync/idbsync/core/oplog"
)

// Attachments: the space's blob tier, named by the lowercase hex SHA-256 of
// the bytes (engine.HashBlob), through the server's blob calls (see
// server/blobs.go). Blobs larger than engine.PartSize go up and down in
// parts of that size; an upload cut short resumes from the parts the server
// has. It is the Go twin of blobCalls in web/idbsync.js.

// maxHashes is how many hashes one blobs/has asks about (the server's
// bound).
const maxHashes = 1000

// partRounds is how many rounds of parts StoreBlob sends before it gives
// up: a round sends what the server lacks, and a part the server collected
// meanwhile goes again in the next.
const partRounds = 3

// maxPrealloc bounds the memory FetchBlob sets aside before the bytes
// arrive: the size it is given comes from an entry, which any peer writes.
const maxPrealloc = 64 << 20

// checkHash refuses a name that is not a lowercase hex SHA-256 before it
// goes into a path.
func checkHash(call, hash string) error {
	if !engine.ValidHash(hash) {
		return fmt.Errorf("%w: %s: a blob is named by the lowercase hex SHA-256 of its bytes, not %q", errcode.ErrInvalidArgument, call, hash)
	}
	return nil
}

// HasBlobs implements syncer.BlobSink: it asks the server which of hashes
// it holds, at most maxHashes per request. The server checks the hashes: a
// bad one is an *Error with code INVALID_ARGUMENT.
func (c *Client) HasBlobs(ctx context.Context, hashes []string) ([]bool, error) {
	out := make([]bool, 0, len(hashes))
	for rest := hashes; len(rest) > 0; {
		chunk := rest[:min(len(rest), maxHashes)]
		rest = rest[len(chunk):]
		body, err := json.Marshal(map[string][]string{"hashes": chunk})
		if err != nil {
			return nil, err
		}
		ans, _, err := c.send(ctx, http.MethodPost, "blobs/has", "application/json", body, maxJSONAnswer)
		if err != nil {
			return nil, err
		}
		// Pointers, so that a null is told from false.
		var res struct {
			Has []*bool `json:"has"`
		}
		if err := json.Unmarshal(ans, &res); err != nil {
			return nil, fmt.Errorf("%w: blobs/has: %v", oplog.ErrCorrupt, err)
		}
		if len(res.Has) != len(chunk) {
			return nil, fmt.Errorf("%w: blobs/has: %d answers for %d hashes", oplog.ErrCorrupt, len(res.Has), len(chunk))
		}
		for i, h := range res.Has {
			if h == nil {
				return nil, fmt.Errorf("%w: blobs/has: answer %d is not a boolean", oplog.ErrCorrupt, i)
			}
			out = append(out, *h)
		}
	}
	return out, nil
}

// StoreBlob implements syncer.BlobSink: it uploads data as the blob hash.
// Bytes that do not hash to it are refused before they are sent
// (oplog.ErrCorrupt; the server checks again). Up to engine.PartSize bytes
// go in one request; more go in parts, resuming an upload cut short: each
// round asks which parts the server has and sends the others in order (the
// last again when it has them all but did not assemble them), until one
// completes the blob. After partRounds rounds it is errcode.ErrUnavailable.
func (c *Client) StoreBlob(ctx context.Context, hash string, data []byte) error {
	if err := checkHash("StoreBlob", hash); err != nil {
		return err
	}
	if got := engine.HashBlob(data); got != hash {
		return fmt.Errorf("%w: StoreBlob: the bytes given for blob %s hash to %s", oplog.ErrCorrupt, hash, got)
	}
	if len(data) <= engine.PartSize {
		call := "blobs/" + hash
		ans, _, err := c.send(ctx, http.MethodPut, call, "application/octet-stream", data, maxJSONAnswer)
		if err != nil {
			return err
		}
		_, err = completes(call, ans)
		return err
	}
	size := len(data)
	count := (size + engine.PartSize - 1) / engine.PartSize
	part := func(n int) []byte { return data[n*engine.PartSize : min(size, (n+1)*engine.PartSize)] }
	for range partRounds {
		have, err := c.parts(ctx, hash, count)
		if err != nil {
			return err
		}
		var missing []int
		for n := range count {
			if !have[n] {
				missing = append(missing, n)
			}
		}
		if len(missing) == 0 {
			missing = append(missing, count-1) // all staged, not assembled: the last again
		}
		for _, n := range missing {
			call := fmt.Sprintf("blobs/%s/parts/%d?size=%d", hash, n, size)
			ans, _, err := c.send(ctx, http.MethodPut, call, "application/octet-stream", part(n), maxJSONAnswer)
			if err != nil {
				return err
			}
			done, err := completes(call, ans)
			if err != nil || done {
				return err
			}
		}
	}
	return fmt.Errorf("%w: StoreBlob: the server did not complete blob %s after %d rounds of parts", errcode.ErrUnavailable, hash, partRounds)
}

// completes reads the {complete} answer of an upload.
func completes(call string, ans []byte) (bool, error) {
	var res struct {
		Complete *bool `json:"complete"`
	}
	if err := json.Unmarshal(ans, &res); err != nil {
		return false, fmt.Errorf("%w: %s: %v", oplog.ErrCorrupt, call, err)
	}
	if res.Complete == nil {
		return false, fmt.Errorf("%w: %s: the answer says nothing of complete", oplog.ErrCorrupt, call)
	}
	return *res.Complete, nil
}

// parts returns which of the count parts of hash the server has staged.
func (c *Client) parts(ctx context.Context, hash string, count int) (map[int]bool, error) {
	call := "blobs/" + hash + "/parts"
	ans, _, err := c.send(ctx, http.MethodGet, call, "", nil, maxJSONAnswer)
	if err != nil {
		return nil, err
	}
	var res struct {
		Parts    *[]int `json:"parts"`
		PartSize *int   `json:"partSize"`
	}
	if err := json.Unmarshal(ans, &res); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", oplog.ErrCorrupt, call, err)
	}
	if res.Parts == nil {
		return nil, fmt.Errorf("%w: %s: no parts", oplog.ErrCorrupt, call)
	}
	if res.PartSize != nil && *res.PartSize != engine.PartSize {
		return nil, fmt.Errorf("%w: %s: the server's parts are %d bytes, this client's %d", oplog.ErrCorrupt, call, *res.PartSize, engine.PartSize)
	}
	have := make(map[int]bool, len(*res.Parts))
	for _, n := range *res.Parts {
		if n < 0 {
			return nil, fmt.Errorf("%w: %s: part %d", oplog.ErrCorrupt, call, n)
		}
		if n < count {
			have[n] = true
		}
	}
	return have, nil
}

// FetchBlob downloads the blob hash of size bytes (an
// engine.MissingBlobError's Ref): whole up to engine.PartSize, else by Range
// in parts of that size. An answer of another length is oplog.ErrCorrupt; it
// does not check the hash, which engine.Engine.StoreBlob does before it
// keeps the bytes. A blob the server does not hold is an *Error with status
// 404. The caller owns the returned slice.
func (c *Client) FetchBlob(ctx context.Context, hash string, size int64) ([]byte, error) {
	if err := checkHash("FetchBlob", hash); err != nil {
		return nil, err
	}
	if size < 0 {
		return nil, fmt.Errorf("%w: FetchBlob: blob %s of %d bytes", errcode.ErrInvalidArgument, hash, size)
	}
	call := "blobs/" + hash
	if size <= engine.PartSize {
		data, _, err := c.send(ctx, http.MethodGet, call, "", nil, size)
		if err != nil {
			return nil, err
		}
		if int64(len(data)) != size {
			return nil, fmt.Errorf("%w: %s: %d bytes, not %d", oplog.ErrCorrupt, call, len(data), size)
		}
		return data, nil
	}
	out := make([]byte, 0, min(size, maxPrealloc))
	for off := int64(0); off < size; off += engine.PartSize {
		end := min(size, off+engine.PartSize)
		limit := end - off
		if off == 0 {
			limit = size // a server that ignores the Range answers it all
		}
		got, h, err := c.send(ctx, http.MethodGet, call, "", nil, limit, "Range", fmt.Sprintf("bytes=%d-%d", off, end-1))
		if err != nil {
			return nil, err
		}
		if off == 0 && int64(len(got)) == size && h.Get("Content-Range") == "" {
			return got, nil
		}
		if int64(len(got)) != end-off {
			return nil, fmt.Errorf("%w: %s: %d bytes for the range %d-%d", oplog.ErrCorrupt, call, len(got), off, end-1)
		}
		// Ranges of the right length do not tell a blob of another size
		// (a longer one has them all): the total the server states does.
		span := fmt.Sprintf("bytes %d-%d/", off, end-1)
		if cr := h.Get("Content-Range"); cr != "" && cr != span+strconv.FormatInt(size, 10) && cr != span+"*" {
			return nil, fmt.Errorf("%w: %s: the range %d-%d of %d bytes answered as %q", oplog.ErrCorrupt, call, off, end-1, size, cr)
		}
		out = append(out, got...)
	}
	return out, nil
}
