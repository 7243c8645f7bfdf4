//go:build !js

package server

import "errors"

// errNotFound answers a path the server does not serve.
var errNotFound = errors.New("not found")
