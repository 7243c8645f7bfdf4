// Package jsbridge is the JavaScript face of idbsync: it turns Go calls into
// Promises that settle from goroutines (the browser's event loop never waits
// on Go) and Go errors into JavaScript Errors with a stable code. It builds
// only with GOOS=js GOARCH=wasm.
package jsbridge
