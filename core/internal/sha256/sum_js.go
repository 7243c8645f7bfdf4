package sha256

import "hash"

// Sum256 returns the SHA-256 checksum of data.
func Sum256(data []byte) [Size]byte { return sum(data) }

// New returns a new hash.Hash computing the SHA-256 checksum.
func New() hash.Hash { return newDigest() }
