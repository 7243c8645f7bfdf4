package sysrand

import "syscall/js"

// maxGetRandomValues is the most crypto.getRandomValues fills in one call.
const maxGetRandomValues = 64 << 10

// Read fills b with cryptographically secure random bytes from
// crypto.getRandomValues. It never returns short; it panics if there is no
// crypto object (every browser, worker and Node since 19 has one).
func Read(b []byte) {
	crypto := js.Global().Get("crypto")
	for len(b) > 0 {
		chunk := min(len(b), maxGetRandomValues)
		buf := js.Global().Get("Uint8Array").New(chunk)
		crypto.Call("getRandomValues", buf)
		js.CopyBytesToGo(b[:chunk], buf)
		b = b[chunk:]
	}
}
