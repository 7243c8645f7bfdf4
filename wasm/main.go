//go:build js && wasm

// Command wasm is the idbsync WebAssembly module (dist/idbsync.wasm).
//
// Until the JavaScript API of jsbridge lands, it registers one global,
// idbsyncModule, with the module's version and visit(name): a Promise for
// the number of times visit ran on the IndexedDB database name, counted by
// a compare-and-set batch of the kv store, so concurrent tabs never lose a
// visit. The demo page and the browser smoke test use it to show that the
// module, the store and IndexedDB work end to end.
package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"syscall/js"

	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/idb"
	"github.com/idbsync/idbsync/jsbridge"
)

// version is the module's version, set with -ldflags "-X main.version=...".
var version = "dev"

const table = "demo"

var visitsKey = []byte("visits")

func main() {
	js.Global().Set("__idbsync", jsbridge.Module(version))
	// The visit counter of the first demo page, until the notes demo
	// replaces it.
	js.Global().Set("idbsyncModule", js.ValueOf(map[string]any{
		"version": version,
		"visit":   js.FuncOf(visit),
	}))
	if ready := js.Global().Get("__idbsyncReady"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
	select {} // serve calls for the life of the page
}

// visit(name) resolves to the new visit count of database name.
func visit(_ js.Value, args []js.Value) any {
	return jsbridge.Promise(func() (any, error) {
		if len(args) != 1 || args[0].Type() != js.TypeString || args[0].String() == "" {
			return nil, fmt.Errorf("%w: visit(name): name must be a non-empty string", jsbridge.ErrInvalidArgument)
		}
		return countVisit(context.Background(), args[0].String())
	})
}

func countVisit(ctx context.Context, name string) (int, error) {
	s, err := idb.Open(ctx, name, idb.Options{Tables: []string{table}})
	if err != nil {
		return 0, err
	}
	defer s.Close()
	for {
		var b kv.Batch
		var n uint64
		old, err := s.Get(ctx, table, visitsKey)
		switch {
		case errors.Is(err, kv.ErrNotFound):
			b.ExpectAbsent(table, visitsKey)
		case err != nil:
			return 0, err
		case len(old) != 8:
			return 0, fmt.Errorf("%w: visit counter of %d bytes", kv.ErrCorrupt, len(old))
		default:
			n = binary.BigEndian.Uint64(old)
			b.Expect(table, visitsKey, old)
		}
		b.Put(table, visitsKey, binary.BigEndian.AppendUint64(nil, n+1))
		err = s.Commit(ctx, &b)
		if errors.Is(err, kv.ErrConflict) {
			continue // another tab counted first: read again
		}
		return int(n + 1), err
	}
}
