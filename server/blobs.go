//go:build !js

package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"

	"github.com/idbsync/idbsync/core/errcode"
	"github.com/idbsync/idbsync/core/oplog"
)

// validHash is a blob's name: the lowercase hex SHA-256 of its bytes.
var validHash = regexp.MustCompile(`^[0-9a-f]{64}$`)

// blobKey is the key of a blob in a space's blob tier.
func blobKey(hash string) string { return "blob/" + hash }

// blobHash checks the {hash} of a blob call.
func blobHash(r *http.Request) (string, error) {
	h := r.PathValue("hash")
	if !validHash.MatchString(h) {
		return "", fmt.Errorf("%w: a blob is named by the lowercase hex SHA-256 of its bytes, not %q", errcode.ErrInvalidArgument, h)
	}
	return h, nil
}

// putBlob stores the body under its content hash, crash-safely (the
// change log guards the write: a process killed mid-way leaves nothing
// another cannot collect). A body whose SHA-256 is not the name is refused.
func (s *Server) putBlob(w http.ResponseWriter, r *http.Request, _ Principal, sp *space) error {
	hash, err := blobHash(r)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBlob))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return fmt.Errorf("%w: a blob of more than %d bytes", oplog.ErrTooLarge, s.cfg.MaxBlob)
	}
	if err != nil {
		return fmt.Errorf("%w: reading the blob: %v", errcode.ErrUnavailable, err)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != hash {
		return fmt.Errorf("%w: the body's SHA-256 is %s, not %s", oplog.ErrCorrupt, got, hash)
	}
	if err := sp.engine.PutBlob(context.WithoutCancel(r.Context()), blobKey(hash), data); err != nil {
		return err
	}
	return writeJSON(w, map[string]any{"hash": hash, "size": len(data)})
}

// getBlob answers the blob named hash, or 404.
func (s *Server) getBlob(w http.ResponseWriter, r *http.Request, _ Principal, sp *space) error {
	hash, err := blobHash(r)
	if err != nil {
		return err
	}
	data, found, err := sp.engine.GetBlob(r.Context(), blobKey(hash))
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("%w: no blob %s", errNotFound, hash)
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	_, err = w.Write(data)
	return err
}
