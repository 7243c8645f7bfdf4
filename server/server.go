//go:build !js

// Package server is the idbsync sync server: many browsers sync through it,
// it vouches for who wrote what, and it runs as one process on its
// embedded defaults or as many stateless processes over PostgreSQL and an
// S3-compatible store (cmd/idbsync-server wires those).
//
// It serves many spaces, each an op log and a blob tier of its own (a table
// prefix in the one store), under /v1/spaces/{space}/: the three calls of
// the browser's fetchTransport (POST cursors, read-since, apply) and a live
// channel (GET live, a WebSocket that sends the space's cursors whenever
// they advance), and blobs by content hash (PUT and GET blobs/{sha256},
// written crash-safely through the space's change log); /healthz answers
// whether the store does.
//
// Every call carries "Authorization: Bearer <JWT>" (see Auth): the subject
// is the user, the spaces claim what they may use. The server stamps every
// entry it accepts with its pusher's user id, refuses one claiming another
// user, and keeps a peer id for the user whose push first carried it. The
// entries it serves carry the user ids it stamped.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/oplog"
)

// Config configures New. Store and Auth are required; the zero value of
// every other field is ready to use.
type Config struct {
	// Store holds every space, each under a prefix of its own. The server
	// does not close it.
	Store kv.Store
	// Blobs returns the blob tier of a space; nil keeps blobs in Store
	// (changelog.KVBlobs). Each must be a changelog.RevisionLister.
	Blobs func(ctx context.Context, space string) (changelog.BlobStore, error)
	// Auth checks every request's bearer token.
	Auth *Auth
	// AllowOrigin is the origin browser apps call from (CORS), "*" for any;
	// empty: no cross-origin calls.
	AllowOrigin string
	// Log receives a line per request and the server's events; nil means
	// slog.Default().
	Log *slog.Logger
	// Now is the wall clock of the spaces' engines; nil means time.Now.
	Now func() time.Time
	// MaxPage bounds the entries one read-since answers; zero means 1000.
	MaxPage int
	// LivePoll is how often a live channel also reads the cursors from the
	// store, to see what other server processes applied; zero means one
	// second.
	LivePoll time.Duration
	// MaxBlob bounds an uploaded blob; zero means 64 MiB.
	MaxBlob int64
	// Interval is the heartbeat and recovery interval of each space's
	// change log instance (a process that dies is claimed after three);
	// zero means changelog.DefaultInterval.
	Interval time.Duration
	// BlobGrace is how long attachment bytes nothing references, and parts
	// of an upload nobody completes, stay before a sweep deletes them; zero
	// means ten minutes.
	BlobGrace time.Duration
	// BlobSweep is how often each open space sweeps its blobs
	// (engine.Engine.SweepBlobs); zero means one minute.
	BlobSweep time.Duration
	// BlobHook, when set, runs at each step of a large blob write
	// (engine.Options.BlobHook): tests crash a process there.
	BlobHook func(step changelog.Step, object string) error
}

// Server is the sync server. It is an http.Handler.
type Server struct {
	cfg    Config
	spaces spaces
	mux    *http.ServeMux
}

// New returns a server over cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("server: Config.Store is required")
	}
	if cfg.Auth == nil {
		return nil, errors.New("server: Config.Auth is required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.MaxPage <= 0 {
		cfg.MaxPage = 1000
	}
	cfg.MaxPage = min(cfg.MaxPage, oplog.MaxBatchEntries)
	if cfg.LivePoll <= 0 {
		cfg.LivePoll = time.Second
	}
	if cfg.MaxBlob <= 0 {
		cfg.MaxBlob = 64 << 20
	}
	if cfg.BlobGrace <= 0 {
		cfg.BlobGrace = 10 * time.Minute
	}
	if cfg.BlobSweep <= 0 {
		cfg.BlobSweep = time.Minute
	}
	s := &Server{cfg: cfg, spaces: spaces{cfg: cfg}, mux: http.NewServeMux()}
	s.routes()
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	s.cors(rec, r)
	if r.Method == http.MethodOptions {
		rec.WriteHeader(http.StatusNoContent)
	} else {
		s.mux.ServeHTTP(rec, r)
	}
	s.cfg.Log.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
		"bytes", rec.bytes, "ms", float64(time.Since(start).Microseconds())/1000)
}

// Close closes every space's engine (their change log instances
// deregister); call it after the HTTP server has shut down, so in-flight
// requests finish first.
func (s *Server) Close() error { return s.spaces.close() }

// cors answers browser apps of the allowed origin.
func (s *Server) cors(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	if s.cfg.AllowOrigin == "" || origin == "" {
		return
	}
	if s.cfg.AllowOrigin != "*" && origin != s.cfg.AllowOrigin {
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Add("Vary", "Origin")
	h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Range")
	h.Set("Access-Control-Max-Age", "600")
}

// recorder notes the status and size of an answer, for the request log.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController (and the WebSocket upgrade) reach
// the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
