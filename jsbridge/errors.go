package jsbridge

import (
	"fmt"

	"github.com/idbsync/idbsync/core/errcode"
)

// ErrNoLocks is returned where the page has no Web Locks (an insecure
// origin, an old browser).
var ErrNoLocks = fmt.Errorf("%w: web locks are not available", errcode.ErrUnavailable)
