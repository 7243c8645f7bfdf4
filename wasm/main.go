//go:build js && wasm

// Command wasm is the idbsync WebAssembly module (dist/idbsync.wasm).
//
// It registers one global, __idbsync: the JavaScript API of package jsbridge
// under the module's version, which web/idbsync.js wraps into the public
// ESM surface. It then calls __idbsyncReady, if the loader set it, to tell
// the page the module is ready, and keeps running so the API can be called
// for the life of the page.
package main

import (
	"syscall/js"

	"github.com/idbsync/idbsync/jsbridge"
)

// version is the module's version, set with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	js.Global().Set("__idbsync", jsbridge.Module(version))
	if ready := js.Global().Get("__idbsyncReady"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
	select {} // serve calls for the life of the page
}
