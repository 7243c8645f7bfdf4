//go:build !js

package s3blobs_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/changelog/changelogtest"
	"github.com/idbsync/idbsync/server/internal/s3test"
	"github.com/idbsync/idbsync/server/s3blobs"
)

var ctx = context.Background()

func open(t testing.TB, o s3blobs.Options) *s3blobs.Store {
	t.Helper()
	s, err := s3blobs.Open(ctx, o)
	require.NoError(t, err)
	return s
}

func newRev(t testing.TB) changelog.Revision {
	t.Helper()
	r, err := changelog.NewRevision()
	require.NoError(t, err)
	return r
}

// client is a plain minio client of srv, for writing keys no Store would.
func client(t testing.TB, srv *s3test.Server) *minio.Client {
	t.Helper()
	c, err := minio.New(srv.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(s3test.AccessKey, s3test.SecretKey, ""), Region: "us-east-1"})
	require.NoError(t, err)
	return c
}

func TestBlobStore(t *testing.T) {
	srv := s3test.Start(t)
	t.Run("Bucket", func(t *testing.T) {
		changelogtest.RunBlobStore(t, func(t testing.TB) changelog.BlobStore {
			return open(t, srv.Options())
		})
	})
	t.Run("Prefix", func(t *testing.T) {
		// Stores share one bucket under fresh prefixes, beside a store at
		// the bucket's top and one in a folder of a sibling's prefix; the
		// small pages make every listing paginate.
		shared := srv.Options()
		top := open(t, shared)
		n := 0
		changelogtest.RunBlobStore(t, func(t testing.TB) changelog.BlobStore {
			n++
			o := shared
			o.Prefix = fmt.Sprintf("spaces/%d/", n)
			o.PageSize = 2
			nested := o
			nested.Prefix = fmt.Sprintf("spaces/%d/nested", n)
			require.NoError(t, top.Put(ctx, newRev(t), []byte("top")))
			require.NoError(t, open(t, nested).Put(ctx, newRev(t), []byte("nested")))
			return open(t, o)
		})
	})
}

func TestRevisionsIgnoreStrayKeys(t *testing.T) {
	srv := s3test.Start(t)
	o := srv.Options()
	o.Prefix = "space"
	s := open(t, o)
	rev := newRev(t)
	require.NoError(t, s.Put(ctx, rev, []byte("kept")))
	c := client(t, srv)
	for _, key := range []string{"README", "space/README", "space/" + rev.String() + ".bak", "space/" + rev.String()[:35], "spaceship/" + newRev(t).String()} {
		_, err := c.PutObject(ctx, o.Bucket, key, bytes.NewReader([]byte("x")), 1, minio.PutObjectOptions{})
		require.NoError(t, err, key)
	}
	revs, err := s.Revisions(ctx)
	require.NoError(t, err)
	assert.Equal(t, []changelog.Revision{rev}, revs, "only keys Put makes are revisions")
}

func TestOpenExistingBucket(t *testing.T) {
	srv := s3test.Start(t)
	o := srv.Options()
	a := open(t, o)
	rev := newRev(t)
	require.NoError(t, a.Put(ctx, rev, []byte("kept")))
	b := open(t, o) // the bucket exists now
	got, err := b.Get(ctx, rev)
	require.NoError(t, err)
	assert.Equal(t, []byte("kept"), got)
}

// An unreachable server is an error, never ErrNotFound: a Manager must not
// take an outage for a missing blob.
func TestUnreachable(t *testing.T) {
	srv := s3test.Start(t)
	o := srv.Options()
	o.MaxRetries = 1
	s := open(t, o)
	srv.Stop()
	rev := newRev(t)
	_, err := s.Get(ctx, rev)
	var netErr *net.OpError
	require.ErrorAs(t, err, &netErr, "the connection error, as it is")
	assert.NotErrorIs(t, err, changelog.ErrNotFound)
	assert.ErrorAs(t, s.Delete(ctx, rev), &netErr)
	assert.ErrorAs(t, s.Put(ctx, rev, []byte("x")), &netErr)
	_, err = s.Revisions(ctx)
	assert.ErrorAs(t, err, &netErr)
	_, err = s3blobs.Open(ctx, o)
	assert.ErrorAs(t, err, &netErr)
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		name string
		url  string
		want s3blobs.Options
		err  bool
	}{
		{"Plain", "s3://KEY:SECRET@localhost:7070/blobs", s3blobs.Options{Endpoint: "localhost:7070", AccessKey: "KEY", SecretKey: "SECRET", Bucket: "blobs", Secure: true}, false},
		{"Prefix", "s3://k:s@s3.example.com/blobs/idbsync/prod?region=eu-west-1", s3blobs.Options{Endpoint: "s3.example.com", AccessKey: "k", SecretKey: "s", Bucket: "blobs", Prefix: "idbsync/prod", Secure: true, Region: "eu-west-1"}, false},
		{"Insecure", "s3://k:s@127.0.0.1:9000/b?secure=false", s3blobs.Options{Endpoint: "127.0.0.1:9000", AccessKey: "k", SecretKey: "s", Bucket: "b"}, false},
		{"EscapedSecret", "s3://k:a%2Fb%2Bc@h/b", s3blobs.Options{Endpoint: "h", AccessKey: "k", SecretKey: "a/b+c", Bucket: "b", Secure: true}, false},
		{"Scheme", "https://k:s@h/b", s3blobs.Options{}, true},
		{"NoBucket", "s3://k:s@h/", s3blobs.Options{}, true},
		{"NoHost", "s3:///b", s3blobs.Options{}, true},
		{"NoCredentials", "s3://h/b", s3blobs.Options{}, true},
		{"BadSecure", "s3://k:s@h/b?secure=maybe", s3blobs.Options{}, true},
		{"UnknownParameter", "s3://k:s@h/b?tls=1", s3blobs.Options{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s3blobs.ParseURL(tc.url)
			if tc.err {
				assert.ErrorIs(t, err, s3blobs.ErrURL)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestManager runs the Manager's crash table over a bucket: after Recover
// and Sweep it holds exactly the revisions the reference tier points to.
func TestManager(t *testing.T) {
	srv := s3test.Start(t)
	changelogtest.RunBlobManager(t, func(t testing.TB) changelog.BlobStore { return open(t, srv.Options()) })
}
