// Package sha256 is SHA-256 (FIPS 180-4) for core: crypto/sha256 natively,
// where its assembly is several times faster, and a small pure-Go
// implementation (pure.go) in the js build.
//
// crypto/sha256 imports crypto/internal/fips140only, and through it the
// FIPS 140 module's DRBG, SHA-3, SHA-512, HMAC and AES, which their
// self-test registrations keep linked: tens of KB of dist/idbsync.wasm
// (bench/size/README.md, win 3). On wasm crypto/sha256 has no assembly, so
// the pure one costs nothing in speed there. These hashes are content
// fingerprints (entries, wire batches, expunge markers), not secrets, and
// pure.go is tested against crypto/sha256.
//
// The API is the part of crypto/sha256 that core uses, with the same names,
// so a file switches by its import line alone.
package sha256

// Size is the size of a SHA-256 checksum in bytes.
const Size = 32

// BlockSize is the block size of SHA-256 in bytes.
const BlockSize = 64
