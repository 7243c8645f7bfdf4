//go:build !js

// Command idbsync-server is the idbsync sync server.
//
// On its embedded defaults it needs nothing installed: one process, the
// spaces in a bbolt file, blobs in a folder. Past one machine, run any
// number of processes over one PostgreSQL database and one S3-compatible
// bucket:
//
//	idbsync-server -listen 127.0.0.1:8787 -store bolt:data/idbsync.db -blobs file:data/blobs
//	idbsync-server -store postgres://user:pw@db:5432/idbsync -blobs s3://KEY:SECRET@s3:9000/idbsync?secure=false
//
// Authentication: -jwt-secret-file (HS256: the file's bytes, surrounding
// whitespace trimmed, are the key) and/or -jwt-public-key (an Ed25519 PEM
// public key, for EdDSA tokens). With neither, it runs in development mode:
// a secret is kept beside the store and a token for every space is printed.
// SIGINT or SIGTERM shut it down gracefully: in-flight calls finish, then
// every space's change log instance deregisters.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/server"
	"github.com/idbsync/idbsync/server/boltkv"
	"github.com/idbsync/idbsync/server/fsblobs"
	"github.com/idbsync/idbsync/server/pgkv"
	"github.com/idbsync/idbsync/server/s3blobs"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "idbsync-server:", err)
		os.Exit(1)
	}
}

// flags are the command line.
type flags struct {
	listen, store, blobs, secretFile, publicKey, allowOrigin string
	devTTL, interval, blobGrace, blobSweep                   time.Duration
}

func parse(args []string) (flags, error) {
	var f flags
	fs := flag.NewFlagSet("idbsync-server", flag.ContinueOnError)
	fs.StringVar(&f.listen, "listen", "127.0.0.1:8787", "address to listen on")
	fs.StringVar(&f.store, "store", "bolt:idbsync-data/idbsync.db", "bolt:PATH (one process) or a postgres:// URL (many)")
	fs.StringVar(&f.blobs, "blobs", "", "file:DIR or s3://KEY:SECRET@HOST:PORT/BUCKET; default: file:blobs beside a bolt store, in the store for PostgreSQL")
	fs.StringVar(&f.secretFile, "jwt-secret-file", "", "file holding the HS256 secret of the tokens")
	fs.StringVar(&f.publicKey, "jwt-public-key", "", "PEM file of the Ed25519 public key of EdDSA tokens")
	fs.StringVar(&f.allowOrigin, "allow-origin", "", "the origin of the web app (CORS), or * for any")
	fs.DurationVar(&f.devTTL, "dev-token-ttl", 30*24*time.Hour, "how long the development token printed without -jwt-* flags lasts")
	fs.DurationVar(&f.interval, "instance-interval", 0, "heartbeat and recovery interval of the process's change log instances (a dead process is claimed after three); default 10s")
	fs.DurationVar(&f.blobGrace, "blob-grace", 0, "how long attachments nothing references and unfinished uploads stay before a sweep deletes them; default 10m")
	fs.DurationVar(&f.blobSweep, "blob-sweep", 0, "how often each space sweeps its blobs; default 1m")
	return f, fs.Parse(args)
}

func run(args []string) error {
	f, err := parse(args)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	store, dataDir, err := openStore(ctx, f.store)
	if err != nil {
		return err
	}
	defer store.Close()
	blobs, err := blobTier(ctx, f.blobs, dataDir)
	if err != nil {
		return err
	}
	auth, devKey, err := authFrom(f, dataDir)
	if err != nil {
		return err
	}
	srv, err := server.New(server.Config{
		Store: store, Blobs: blobs, Auth: auth, AllowOrigin: f.allowOrigin, Log: log,
		Interval: f.interval, BlobGrace: f.blobGrace, BlobSweep: f.blobSweep, BlobHook: failpoint(os.Getenv("IDBSYNC_FAILPOINT")),
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String() + "/"
	log.Info("serving", "url", url, "store", redact(f.store), "blobs", redact(f.blobs))
	if devKey != nil {
		// One development user per data folder, so a restart's token
		// still owns the peers the last one pushed.
		user := uuid.NewSHA1(uuid.NameSpaceURL, append([]byte("idbsync-dev-user:"), devKey...))
		tok, err := auth.Token(user, []string{"*"}, f.devTTL)
		if err != nil {
			return err
		}
		fmt.Printf("idbsync-server: serving %s (development mode: no -jwt-secret-file or -jwt-public-key)\n", url)
		fmt.Printf("idbsync-server: development token, every space, %s:\n%s\n", f.devTTL, tok)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: in-flight calls finish")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = hs.Shutdown(sctx)
	return errors.Join(err, srv.Close())
}

// openStore opens -store; dataDir is the folder of a bolt store ("" for
// PostgreSQL), where the defaults of the other files go.
func openStore(ctx context.Context, spec string) (kv.Store, string, error) {
	switch {
	case strings.HasPrefix(spec, "bolt:"):
		path := strings.TrimPrefix(spec, "bolt:")
		dir := filepath.Dir(path)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, "", err
		}
		s, err := boltkv.Open(path, boltkv.Options{})
		return s, dir, err
	case strings.HasPrefix(spec, "postgres://"), strings.HasPrefix(spec, "postgresql://"):
		s, err := pgkv.Open(ctx, spec, pgkv.Options{})
		return s, "", err
	}
	return nil, "", fmt.Errorf("-store %q: want bolt:PATH or a postgres:// URL", spec)
}

// blobTier returns the blob tier of each space from -blobs.
func blobTier(ctx context.Context, spec, dataDir string) (func(context.Context, string) (changelog.BlobStore, error), error) {
	if spec == "" {
		if dataDir == "" {
			return nil, nil // in the store (PostgreSQL): changelog.KVBlobs
		}
		spec = "file:" + filepath.Join(dataDir, "blobs")
	}
	switch {
	case strings.HasPrefix(spec, "file:"):
		dir := strings.TrimPrefix(spec, "file:")
		return func(_ context.Context, space string) (changelog.BlobStore, error) {
			return fsblobs.Open(filepath.Join(dir, space))
		}, nil
	case strings.HasPrefix(spec, "s3://"):
		opts, err := s3blobs.ParseURL(spec)
		if err != nil {
			return nil, err
		}
		base := strings.Trim(opts.Prefix, "/")
		return func(ctx context.Context, space string) (changelog.BlobStore, error) {
			o := opts
			o.Prefix = strings.TrimPrefix(base+"/"+space, "/")
			return s3blobs.Open(ctx, o)
		}, nil
	}
	return nil, fmt.Errorf("-blobs %q: want file:DIR or s3://KEY:SECRET@HOST:PORT/BUCKET", spec)
}

// authFrom reads the keys of -jwt-secret-file and -jwt-public-key; with
// neither it keeps a development secret beside a bolt store, and returns it.
func authFrom(f flags, dataDir string) (auth *server.Auth, dev []byte, err error) {
	var secret []byte
	var pub []byte
	if f.secretFile != "" {
		b, err := os.ReadFile(f.secretFile)
		if err != nil {
			return nil, nil, err
		}
		secret = []byte(strings.TrimSpace(string(b)))
	}
	if f.publicKey != "" {
		if pub, err = os.ReadFile(f.publicKey); err != nil {
			return nil, nil, err
		}
	}
	if secret == nil && pub == nil {
		if dataDir == "" {
			return nil, nil, errors.New("give -jwt-secret-file or -jwt-public-key (development mode keeps its secret beside a bolt store)")
		}
		if secret, err = devSecret(filepath.Join(dataDir, "dev-jwt-secret")); err != nil {
			return nil, nil, err
		}
		dev = secret
	}
	var key []byte
	if pub != nil {
		k, err := server.ParsePublicKey(pub)
		if err != nil {
			return nil, nil, err
		}
		key = k
	}
	auth, err = server.NewAuth(secret, key, nil)
	return auth, dev, err
}

// devSecret reads the development secret at path, making it first.
func devSecret(path string) ([]byte, error) {
	if b, err := os.ReadFile(path); err == nil {
		return []byte(strings.TrimSpace(string(b))), nil
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	s := hex.EncodeToString(raw)
	return []byte(s), os.WriteFile(path, []byte(s+"\n"), 0o600)
}

// failpoint is the test failpoint IDBSYNC_FAILPOINT names: "blob-written"
// kills the process with SIGKILL once a blob upload's bytes are in the blob
// tier and before its reference is written, as a crash mid-upload would.
func failpoint(name string) func(changelog.Step, string) error {
	if name != "blob-written" {
		return nil
	}
	return func(step changelog.Step, _ string) error {
		if step == changelog.StepWritten {
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {} // the signal is on its way
		}
		return nil
	}
}

// redact hides the password of a URL in the logs.
func redact(spec string) string {
	if i := strings.Index(spec, "://"); i >= 0 {
		if at := strings.LastIndex(spec, "@"); at > i {
			return spec[:i+3] + "…@" + spec[at+1:]
		}
	}
	return spec
}
