//go:build !js

package s3test_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/server/internal/s3test"
)

func TestStart(t *testing.T) {
	s := s3test.Start(t)
	resp, err := http.Get("http://" + s.Endpoint + "/")
	require.NoError(t, err, "the server answers")
	resp.Body.Close()
	assert.NotEqual(t, s.Options().Bucket, s.Options().Bucket, "a fresh bucket each time")
	s.Stop()
	s.Stop() // twice is fine
	_, err = http.Get("http://" + s.Endpoint + "/")
	assert.Error(t, err, "stopped")
}

// fatalTB records a Fatal and ends its goroutine, as testing.T does.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Fatal(args ...any) {
	f.msg = fmt.Sprint(args...)
	runtime.Goexit()
}

func TestMissingBinary(t *testing.T) {
	t.Setenv(s3test.Env, filepath.Join(t.TempDir(), "no-versitygw"))
	f := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s3test.Start(f)
		t.Error("Start returned without a server")
	}()
	<-done
	assert.Contains(t, f.msg, "no-versitygw", "a missing binary fails the test, naming it")
}
