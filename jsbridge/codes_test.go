//go:build !js

package jsbridge_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/engine"
	"github.com/idbsync/idbsync/core/errcode"
	"github.com/idbsync/idbsync/core/hlc"
	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/oplog"
	"github.com/idbsync/idbsync/core/syncer"
	"github.com/idbsync/idbsync/jsbridge"
	"github.com/idbsync/idbsync/server/fsblobs"
	"github.com/idbsync/idbsync/server/s3blobs"
)

// sentinels are the exported errors of every package a JavaScript call
// reaches, by "package.Name".
var sentinels = map[string]error{
	"changelog.ErrAlive":             changelog.ErrAlive,
	"changelog.ErrClosed":            changelog.ErrClosed,
	"changelog.ErrCorrupt":           changelog.ErrCorrupt,
	"changelog.ErrFenced":            changelog.ErrFenced,
	"changelog.ErrInvalidID":         changelog.ErrInvalidID,
	"changelog.ErrMissingCapability": changelog.ErrMissingCapability,
	"changelog.ErrNotFound":          changelog.ErrNotFound,
	"engine.ErrClosed":               engine.ErrClosed,
	"engine.ErrBlobMissing":          engine.ErrBlobMissing,
	"errcode.ErrInternal":            errcode.ErrInternal,
	"errcode.ErrInvalidArgument":     errcode.ErrInvalidArgument,
	"errcode.ErrPermissionDenied":    errcode.ErrPermissionDenied,
	"errcode.ErrUnauthenticated":     errcode.ErrUnauthenticated,
	"errcode.ErrUnavailable":         errcode.ErrUnavailable,
	"hlc.ErrClockSkew":               hlc.ErrClockSkew,
	"hlc.ErrWallOverflow":            hlc.ErrWallOverflow,
	"jsbridge.ErrNoLocks":            jsbridge.ErrNoLocks,
	"kv.ErrAborted":                  kv.ErrAborted,
	"kv.ErrBlocked":                  kv.ErrBlocked,
	"kv.ErrClosed":                   kv.ErrClosed,
	"kv.ErrConflict":                 kv.ErrConflict,
	"kv.ErrCorrupt":                  kv.ErrCorrupt,
	"kv.ErrInvalidBatch":             kv.ErrInvalidBatch,
	"kv.ErrInvalidKey":               kv.ErrInvalidKey,
	"kv.ErrMalformedKey":             kv.ErrMalformedKey,
	"kv.ErrNotFound":                 kv.ErrNotFound,
	"kv.ErrQuotaExceeded":            kv.ErrQuotaExceeded,
	"kv.ErrUniqueViolation":          kv.ErrUniqueViolation,
	"kv.ErrUnknownTable":             kv.ErrUnknownTable,
	"kv.ErrVersion":                  kv.ErrVersion,
	"oplog.ErrClosed":                oplog.ErrClosed,
	"oplog.ErrCorrupt":               oplog.ErrCorrupt,
	"oplog.ErrCursorMismatch":        oplog.ErrCursorMismatch,
	"oplog.ErrForked":                oplog.ErrForked,
	"oplog.ErrInvalidEntry":          oplog.ErrInvalidEntry,
	"oplog.ErrInvalidOp":             oplog.ErrInvalidOp,
	"oplog.ErrNotFound":              oplog.ErrNotFound,
	"oplog.ErrPeerMismatch":          oplog.ErrPeerMismatch,
	"oplog.ErrTooLarge":              oplog.ErrTooLarge,
	"fsblobs.ErrClosed":              fsblobs.ErrClosed,
	"s3blobs.ErrURL":                 s3blobs.ErrURL,
	"syncer.ErrBadPage":              syncer.ErrBadPage,
	"syncer.ErrIncomplete":           syncer.ErrIncomplete,
}

// declared lists the exported Err* variables declared in the non-test Go
// files of dir, as "package.Name", and the files that declare them.
func declared(t *testing.T, dir string) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	out := make(map[string]string)
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, d := range file.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, spec := range g.Specs {
				for _, n := range spec.(*ast.ValueSpec).Names {
					if n.IsExported() && strings.HasPrefix(n.Name, "Err") {
						out[file.Name.Name+"."+n.Name] = filepath.Base(f)
					}
				}
			}
		}
	}
	return out
}

// TestEverySentinelHasACode: every exported error of the packages a call
// reaches is declared in its package's errors.go, is listed above, and maps
// to a code of its own (not the INTERNAL fallback, except errcode.ErrInternal).
func TestEverySentinelHasACode(t *testing.T) {
	found := make(map[string]bool)
	for _, dir := range []string{"../core/changelog", "../core/engine", "../core/errcode", "../core/hlc", "../core/kv", "../core/oplog", "../core/syncer", "../idb", ".", "../server", "../server/boltkv", "../server/pgkv", "../server/fsblobs", "../server/s3blobs", "../server/client"} {
		for name, file := range declared(t, dir) {
			found[name] = true
			assert.Equal(t, "errors.go", file, "%s is declared outside its package's errors.go", name)
			assert.Contains(t, sentinels, name, "%s is not in this test's list: give it a code in codes.go and list it", name)
		}
	}
	for name, err := range sentinels {
		assert.True(t, found[name], "%s is listed but not declared", name)
		code := errcode.Code(err)
		if err == errcode.ErrInternal {
			assert.Equal(t, errcode.CodeInternal, code)
			continue
		}
		assert.NotEqual(t, errcode.CodeInternal, code, "%s has no code", name)
	}
}
