//go:build !js

package fsblobs

import (
	"fmt"

	"github.com/idbsync/idbsync/core/changelog"
)

// ErrClosed is returned by calls on a closed Store; it is a
// changelog.ErrClosed.
var ErrClosed = fmt.Errorf("fsblobs: %w", changelog.ErrClosed)
