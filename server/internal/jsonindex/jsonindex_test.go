//go:build !js

package jsonindex_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/server/internal/jsonindex"
)

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		n    uint64
		json string
	}{
		{"Zero", 0, `0`},
		{"Safe", 1 << 53, `9007199254740992`},
		{"PastSafe", 1<<53 + 1, `"9007199254740993"`},
		{"Max", ^uint64(0), `"18446744073709551615"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(jsonindex.Of(tc.n))
			require.NoError(t, err)
			assert.Equal(t, tc.json, string(b))
			got, err := jsonindex.Parse(b)
			require.NoError(t, err)
			assert.Equal(t, tc.n, got)
		})
	}
	for _, bad := range []string{`-1`, `1.5`, `"x"`, `null`, `{}`} {
		_, err := jsonindex.Parse(json.RawMessage(bad))
		assert.Error(t, err, bad)
	}
}
