//go:build !js

package sha256

import (
	"crypto/sha256"
	"hash"
)

// Sum256 returns the SHA-256 checksum of data.
func Sum256(data []byte) [Size]byte { return sha256.Sum256(data) }

// New returns a new hash.Hash computing the SHA-256 checksum.
func New() hash.Hash { return sha256.New() }
