// idbsync's copy: the default random source, crypto/rand's Reader, in a file
// of its own so that the js build can use another (rand_js.go).

//go:build !js

package uuid

import "crypto/rand"

// randReader is what SetRand(nil) restores.
var randReader = rand.Reader
