//go:build !js

package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/engine"
	"github.com/idbsync/idbsync/core/errcode"
	"github.com/idbsync/idbsync/core/oplog"
)

// The blob calls of a space: attachments, named by the lowercase hex
// SHA-256 of their bytes (engine.HashBlob).
//
//	POST blobs/has                 {hashes: [...]} -> {has: [bool...]}
//	PUT  blobs/{hash}              the whole blob (up to MaxBlob)
//	PUT  blobs/{hash}/parts/{n}?size=S
//	                               part n of a blob of S bytes (engine.PartSize
//	                               each but the last) -> {complete}
//	GET  blobs/{hash}/parts        {parts: [n...]}: what an upload cut short has
//	GET  blobs/{hash}              the bytes; a Range header gets part of them
//	GET  blobs                     {contents, parts}: what the space holds

// maxHashes bounds the hashes of one blobs/has.
const maxHashes = 1000

// blobHash checks the {hash} of a blob call.
func blobHash(r *http.Request) (string, error) {
	h := r.PathValue("hash")
	if !engine.ValidHash(h) {
		return "", fmt.Errorf("%w: a blob is named by the lowercase hex SHA-256 of its bytes, not %q", errcode.ErrInvalidArgument, h)
	}
	return h, nil
}

// legacyBlob is the object a blob had before attachments (builds that
// stored an uploaded blob as the object blob/<hash>).
func legacyBlob(hash string) string { return "blob/" + hash }

// readLegacy reads the blob hash as a build before attachments stored it
// (found false: none). It reads by way of GetBlob, where an attachment an
// app keyed "blob/<hash>" answers instead of the old object: bytes that do
// not hash to the name, or a reference whose bytes are not here, are no
// blob hash.
func readLegacy(ctx context.Context, e *engine.Engine, hash string) (data []byte, found bool, err error) {
	data, found, err = e.GetBlob(ctx, legacyBlob(hash))
	switch {
	case errors.Is(err, engine.ErrBlobMissing):
		return nil, false, nil
	case err != nil || !found || engine.HashBlob(data) != hash:
		return nil, false, err
	}
	return data, true, nil
}

// readBody reads at most limit bytes of the request body.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, fmt.Errorf("%w: a body of more than %d bytes", oplog.ErrTooLarge, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: reading the body: %v", errcode.ErrUnavailable, err)
	}
	return data, nil
}

// putBlob stores the body under its content hash, crash-safely (the
// change log guards the write: a process killed mid-way leaves nothing
// another cannot collect). A body whose SHA-256 is not the name is refused.
func (s *Server) putBlob(w http.ResponseWriter, r *http.Request, _ Principal, sp *space) error {
	hash, err := blobHash(r)
	if err != nil {
		return err
	}
	data, err := readBody(w, r, s.cfg.MaxBlob)
	if err != nil {
		return err
	}
	if err := sp.engine.StoreBlob(context.WithoutCancel(r.Context()), hash, data); err != nil {
		return err
	}
	return writeJSON(w, map[string]any{"hash": hash, "size": len(data), "complete": true})
}

// putPart stages one part of a chunked upload; the last one stores the
// blob.
func (s *Server) putPart(w http.ResponseWriter, r *http.Request, _ Principal, sp *space) error {
	hash, err := blobHash(r)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 {
		return fmt.Errorf("%w: part %q is not a part number", errcode.ErrInvalidArgument, r.PathValue("n"))
	}
	size, err := strconv.ParseInt(r.URL.Query().Get("size"), 10, 64)
	if err != nil || size <= 0 || size > s.cfg.MaxBlob {
		return fmt.Errorf("%w: size %q: the blob's size in bytes, from 1 to %d", errcode.ErrInvalidArgument, r.URL.Query().Get("size"), s.cfg.MaxBlob)
	}
	data, err := readBody(w, r, engine.PartSize)
	if err != nil {
		return err
	}
	complete, err := sp.engine.StagePart(context.WithoutCancel(r.Context()), hash, size, n, data)
	if err != nil {
		return err
	}
	return writeJSON(w, map[string]any{"hash": hash, "part": n, "complete": complete})
}

// getParts lists the parts of an upload staged so far.
func (s *Server) getParts(w http.ResponseWriter, r *http.Request, _ Principal, sp *space) error {
	hash, err := blobHash(r)
	if err != nil {
		return err
	}
	parts, err := sp.engine.Parts(r.Context(), hash)
	if err != nil {
		return err
	}
	return writeJSON(w, map[string]any{"parts": parts, "partSize": engine.PartSize})
}

// hasBlobs answers which of the hashes the space holds.
func (s *Server) hasBlobs(w http.ResponseWriter, r *http.Request, _ Principal, sp *space) error {
	var req struct {
		Hashes []string `json:"hashes"`
	}
	body, err := readBody(w, r, 80*maxHashes)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return fmt.Errorf("%w: blobs/has takes {\"hashes\": [...]}: %v", errcode.ErrInvalidArgument, err)
	}
	if len(req.Hashes) > maxHashes {
		return fmt.Errorf("%w: at most %d hashes at once, not %d", errcode.ErrInvalidArgument, maxHashes, len(req.Hashes))
	}
	has, err := sp.engine.HasBlobs(r.Context(), req.Hashes)
	if err != nil {
		return err
	}
	for i, h := range req.Hashes {
		if !has[i] {
			_, found, err := readLegacy(r.Context(), sp.engine, h)
			if err != nil {
				return err
			}
			has[i] = found
		}
	}
	return writeJSON(w, map[string]any{"has": has})
}

// getBlob answers the blob named hash (or the Range of it asked for), or
// 404.
func (s *Server) getBlob(w http.ResponseWriter, r *http.Request, _ Principal, sp *space) error {
	hash, err := blobHash(r)
	if err != nil {
		return err
	}
	data, err := sp.engine.ReadBlob(r.Context(), hash)
	if errors.Is(err, changelog.ErrNotFound) {
		var found bool
		data, found, err = readLegacy(r.Context(), sp.engine, hash)
		if err == nil && !found {
			return fmt.Errorf("%w: no blob %s", errNotFound, hash)
		}
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
	return nil
}

// blobStats answers what the space's blob tier holds.
func (s *Server) blobStats(w http.ResponseWriter, r *http.Request, _ Principal, sp *space) error {
	st, err := sp.engine.Stats(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, map[string]any{"contents": st.Contents, "parts": st.Parts, "blobs": st.Blobs, "changes": st.Changes})
}
