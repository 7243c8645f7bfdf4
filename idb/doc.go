// Package idb is the kv.Store of the browser: one IndexedDB database, one
// object store per table, one readwrite transaction per batch. It builds only
// with GOOS=js GOARCH=wasm and is tested in headless Chromium, on real
// IndexedDB, by the same kvtest suite as memkv.
//
// # Durability
//
// Every batch is one IndexedDB transaction opened with the durability hint of
// Options.Durability. Strict (the default) reports a commit only once the
// browser has flushed it to disk, so a committed batch survives a power
// loss; relaxed reports it once the operating system has it, which is
// several times faster for small transactions but may lose the last
// batches on a power loss (never on a tab or browser crash). Either way a
// batch is all or nothing.
package idb
