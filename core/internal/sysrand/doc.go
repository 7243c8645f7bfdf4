// Package sysrand reads random bytes from the platform: crypto/rand
// natively, crypto.getRandomValues in a browser.
//
// crypto/rand reads crypto.getRandomValues in a browser too, but it also
// links the FIPS 140 DRBG that sits in front of it (AES, SHA-256, SHA-512,
// HMAC and their self-tests), tens of KB of dist/idbsync.wasm
// (bench/size/README.md, win 3). So sysrand_js.go calls it through
// syscall/js itself.
//
// That file is the one place core touches syscall/js, against the rule of
// DESIGN.md, and on purpose: it is a leaf with no state, the same call the
// standard library makes, chosen by the build and not by the caller, so core
// still builds and tests with plain go test and nothing upstream (jsbridge,
// the worker, idb's tests) has to remember to set a random source first.
package sysrand
