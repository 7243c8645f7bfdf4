//go:build !js

package s3blobs

import (
	"fmt"

	"github.com/idbsync/idbsync/core/errcode"
)

// ErrURL reports a store URL ParseURL cannot read (an invalid argument).
var ErrURL = fmt.Errorf("s3blobs: bad store URL: %w", errcode.ErrInvalidArgument)
