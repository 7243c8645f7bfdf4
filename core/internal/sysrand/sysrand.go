//go:build !js

package sysrand

import "crypto/rand"

// Read fills b with cryptographically secure random bytes. It never
// returns short and never fails: like crypto/rand.Read, which it calls here,
// it crashes the program if the platform has no randomness to give.
func Read(b []byte) {
	rand.Read(b)
}
