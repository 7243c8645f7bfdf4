//go:build !js

package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/google/uuid"

	"github.com/idbsync/idbsync/core/errcode"
	"github.com/idbsync/idbsync/core/oplog"
	"github.com/idbsync/idbsync/server/internal/jsonindex"
)

// maxJSON bounds the body of a JSON request.
const maxJSON = 4 << 10

func (s *Server) routes() {
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("POST /v1/spaces/{space}/cursors", s.call(s.cursors))
	s.mux.HandleFunc("POST /v1/spaces/{space}/read-since", s.call(s.readSince))
	s.mux.HandleFunc("POST /v1/spaces/{space}/apply", s.call(s.apply))
	s.mux.HandleFunc("GET /v1/spaces/{space}/live", s.call(s.live))
	s.mux.HandleFunc("PUT /v1/spaces/{space}/blobs/{hash}", s.call(s.putBlob))
	s.mux.HandleFunc("GET /v1/spaces/{space}/blobs/{hash}", s.call(s.getBlob))
	s.mux.HandleFunc("POST /v1/spaces/{space}/blobs/has", s.call(s.hasBlobs))
	s.mux.HandleFunc("PUT /v1/spaces/{space}/blobs/{hash}/parts/{n}", s.call(s.putPart))
	s.mux.HandleFunc("GET /v1/spaces/{space}/blobs/{hash}/parts", s.call(s.getParts))
	s.mux.HandleFunc("GET /v1/spaces/{space}/blobs", s.call(s.blobStats))
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, fmt.Errorf("%w: no such call: %s %s", errNotFound, r.Method, r.URL.Path))
	})
}

// handler is a call on a space by an authenticated principal.
type handler func(w http.ResponseWriter, r *http.Request, p Principal, sp *space) error

// call authenticates the request, checks the principal may use the space,
// opens it, and writes the handler's error as {code, message}.
func (s *Server) call(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := func() error {
			token := bearer(r.Header.Get("Authorization"))
			if token == "" && r.Method == http.MethodGet {
				token = r.URL.Query().Get("token") // a browser's WebSocket has no headers
			}
			p, err := s.cfg.Auth.Verify(token)
			if err != nil {
				return err
			}
			name := r.PathValue("space")
			if !p.May(name) {
				return fmt.Errorf("%w: the token does not grant space %q", errcode.ErrPermissionDenied, name)
			}
			sp, err := s.spaces.get(r.Context(), name)
			if err != nil {
				return err
			}
			return h(w, r, p, sp)
		}()
		if err != nil {
			if code := errcode.Code(err); code == errcode.CodeInternal || code == errcode.CodeUnavailable {
				s.cfg.Log.Error("call failed", "path", r.URL.Path, "err", err)
			}
			writeError(w, err)
		}
	}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if _, err := s.cfg.Store.Get(r.Context(), "s/healthz/meta", []byte("x")); err != nil && errcode.Code(err) == errcode.CodeUnavailable {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "ok\n")
}

// cursors answers the space's version vector: {peer: next index}, an
// index past 2^53 as a decimal string.
func (s *Server) cursors(w http.ResponseWriter, r *http.Request, _ Principal, sp *space) error {
	c, err := sp.engine.Cursors(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, cursorsJSON(c))
}

func cursorsJSON(c oplog.PeerCursors) map[string]any {
	out := make(map[string]any, len(c))
	for p, n := range c {
		out[p.String()] = jsonindex.Of(n)
	}
	return out
}

// readSinceRequest is read-since's body.
type readSinceRequest struct {
	Peer  string          `json:"peer"`
	From  json.RawMessage `json:"from"`
	Limit int             `json:"limit"`
}

// readSince answers one wire batch of up to limit entries (at most
// Config.MaxPage) of peer from index from on.
func (s *Server) readSince(w http.ResponseWriter, r *http.Request, _ Principal, sp *space) error {
	var req readSinceRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	peer, err := uuid.Parse(req.Peer)
	if err != nil {
		return fmt.Errorf("%w: read-since: peer %q is not a uuid", errcode.ErrInvalidArgument, req.Peer)
	}
	from, err := jsonindex.Parse(req.From)
	if err != nil {
		return fmt.Errorf("%w: read-since: from: %v", errcode.ErrInvalidArgument, err)
	}
	if req.Limit < 1 {
		return fmt.Errorf("%w: read-since: limit must be a positive integer", errcode.ErrInvalidArgument)
	}
	batch, err := sp.engine.ReadSince(r.Context(), peer, from, min(req.Limit, s.cfg.MaxPage))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	_, err = w.Write(batch)
	return err
}

// apply ingests one wire batch pushed by the principal.
func (s *Server) apply(w http.ResponseWriter, r *http.Request, p Principal, sp *space) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, oplog.MaxBatchBytes+64<<10))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return fmt.Errorf("%w: a batch of more than %d bytes: split it into pages", oplog.ErrTooLarge, oplog.MaxBatchBytes)
	}
	if err != nil {
		return fmt.Errorf("%w: reading the batch: %v", errcode.ErrUnavailable, err)
	}
	// The client may go away: an apply that started finishes, so nothing
	// is half-written and its answer is true when the client retries.
	res, err := sp.apply(context.WithoutCancel(r.Context()), p.User, body)
	if err != nil {
		return err
	}
	return writeJSON(w, map[string]int{"applied": res.Applied, "skipped": res.Skipped})
}

// readJSON decodes a small JSON body into v.
func readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSON))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: the body is not the JSON expected: %v", errcode.ErrInvalidArgument, err)
	}
	return nil
}

func writeJSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(v)
}

// statuses maps each code to the HTTP status of its answer.
var statuses = map[string]int{
	errcode.CodeInvalidArgument: http.StatusBadRequest,
	errcode.CodeCorrupt:         http.StatusBadRequest,
	errcode.CodeUnauthenticated: http.StatusUnauthorized,
	errcode.CodePermission:      http.StatusForbidden,
	errcode.CodeCursorMismatch:  http.StatusConflict,
	errcode.CodeForked:          http.StatusConflict,
	errcode.CodeConflict:        http.StatusConflict,
	errcode.CodeUniqueViolation: http.StatusConflict,
	errcode.CodeClockSkew:       http.StatusUnprocessableEntity,
	errcode.CodeQuotaExceeded:   http.StatusInsufficientStorage,
	errcode.CodeClosed:          http.StatusServiceUnavailable,
	errcode.CodeBlocked:         http.StatusServiceUnavailable,
	errcode.CodeUnavailable:     http.StatusServiceUnavailable,
	errcode.CodeInternal:        http.StatusInternalServerError,
}

// writeError answers err as {code, message} (and what a code carries:
// expected and actual of a cursor mismatch, peer and idx of a fork).
func writeError(w http.ResponseWriter, err error) {
	code := errcode.Code(err)
	status := statuses[code]
	body := map[string]any{"code": code, "message": err.Error()}
	switch {
	case errors.Is(err, errNotFound):
		code, status = errcode.CodeInvalidArgument, http.StatusNotFound
		body["code"] = code
	case errors.Is(err, oplog.ErrTooLarge):
		status = http.StatusRequestEntityTooLarge
	}
	var cm *oplog.CursorMismatchError
	if errors.As(err, &cm) {
		body["expected"], body["actual"] = jsonindex.Of(cm.Expected), jsonindex.Of(cm.Actual)
	}
	var fork *oplog.ForkError
	if errors.As(err, &fork) {
		body["peer"], body["idx"] = fork.Peer.String(), jsonindex.Of(fork.Idx)
	}
	if status == 0 {
		status = http.StatusInternalServerError
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="idbsync"`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
