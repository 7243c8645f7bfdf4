// idbsync's copy: in a browser the default random source is
// crypto.getRandomValues itself, which is what crypto/rand reads there too,
// but crypto/rand would also link its FIPS 140 DRBG (AES, SHA-256, SHA-512,
// HMAC and their self-tests).

package uuid

import (
	"io"
	"syscall/js"
)

// randReader is what SetRand(nil) restores.
var randReader io.Reader = getRandomValues{}

// getRandomValues reads crypto.getRandomValues. It never fails: without a
// crypto object (every browser and Node since 19 has one) it panics, as
// crypto/rand does when the system gives no randomness.
type getRandomValues struct{}

// maxGetRandomValues is the most crypto.getRandomValues fills in one call.
const maxGetRandomValues = 64 << 10

func (getRandomValues) Read(b []byte) (int, error) {
	crypto := js.Global().Get("crypto")
	for n := 0; n < len(b); {
		chunk := len(b) - n
		if chunk > maxGetRandomValues {
			chunk = maxGetRandomValues
		}
		buf := js.Global().Get("Uint8Array").New(chunk)
		crypto.Call("getRandomValues", buf)
		n += js.CopyBytesToGo(b[n:n+chunk], buf)
	}
	return len(b), nil
}
