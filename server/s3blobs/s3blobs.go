//go:build !js

// Package s3blobs is a changelog.BlobStore over an S3-compatible object
// store (AWS S3, MinIO, versitygw, ...), the blob tier of a server that runs
// as several processes: one object per revision, named <prefix>/<uuid>.
//
// A Put is one PutObject, and S3 makes an object visible only once it is
// complete, so a crash during Put leaves nothing under the revision's key:
// there are no partial blobs to list or to sweep. (A blob larger than
// minio-go's single-request limit, 16 MiB, is uploaded in parts; a killed
// upload leaves parts that are invisible to Get and Revisions and that a
// bucket lifecycle rule, AbortIncompleteMultipartUpload, should reclaim.)
//
// Errors other than a missing object (an unreachable server, bad
// credentials, a missing bucket) are returned as minio-go reports them, so
// minio.ToErrorResponse reads their S3 code; they are never
// changelog.ErrNotFound, so a Manager never takes an outage for a missing
// blob.
package s3blobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/idbsync/idbsync/core/changelog"
)

// Options configure Open.
type Options struct {
	// Endpoint is the server's host:port, without scheme.
	Endpoint string
	// AccessKey and SecretKey are the static credentials.
	AccessKey, SecretKey string
	// Bucket holds the blobs; Open creates it when it is missing.
	Bucket string
	// Prefix, when not empty, is the folder of the blobs in Bucket (a
	// trailing "/" is optional): several stores share a bucket under
	// different prefixes.
	Prefix string
	// Secure selects HTTPS; false is plain HTTP.
	Secure bool
	// Region is the bucket's region; empty asks the server (minio-go's
	// default).
	Region string
	// MaxRetries is how many times minio-go tries a request that failed
	// for a reason it deems transient (a refused connection, a 503),
	// with growing waits in between; zero is its default, 10. An outage
	// thus shows as a slow error, or as the caller's context expiring.
	MaxRetries int
	// PageSize is how many keys one list request asks for; zero is the
	// server's default (1000 on S3).
	PageSize int
}

// ParseURL reads the store URL of the server's flag:
//
//	s3://KEY:SECRET@HOST:PORT/BUCKET[/PREFIX][?secure=false&region=R]
//
// KEY and SECRET are percent-encoded (a "/" in a secret is %2F). The
// connection is HTTPS unless secure=false.
func ParseURL(s string) (Options, error) {
	u, err := url.Parse(s)
	if err != nil {
		return Options{}, fmt.Errorf("%w: %v", ErrURL, err)
	}
	if u.Scheme != "s3" {
		return Options{}, fmt.Errorf("%w: scheme %q, want s3", ErrURL, u.Scheme)
	}
	if u.Host == "" {
		return Options{}, fmt.Errorf("%w: no host", ErrURL)
	}
	if u.User == nil {
		return Options{}, fmt.Errorf("%w: no KEY:SECRET@", ErrURL)
	}
	secret, _ := u.User.Password()
	bucket, prefix, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	if bucket == "" {
		return Options{}, fmt.Errorf("%w: no bucket", ErrURL)
	}
	o := Options{
		Endpoint:  u.Host,
		AccessKey: u.User.Username(),
		SecretKey: secret,
		Bucket:    bucket,
		Prefix:    prefix,
		Secure:    true,
	}
	q := u.Query()
	for k := range q {
		switch k {
		case "secure":
			if o.Secure, err = strconv.ParseBool(q.Get(k)); err != nil {
				return Options{}, fmt.Errorf("%w: secure=%q", ErrURL, q.Get(k))
			}
		case "region":
			o.Region = q.Get(k)
		default:
			return Options{}, fmt.Errorf("%w: unknown parameter %q", ErrURL, k)
		}
	}
	return o, nil
}

// Store is the blob tier in one bucket, under one prefix. It is safe for
// concurrent use, by any number of processes over the same prefix.
type Store struct {
	client *minio.Client
	bucket string
	prefix string // empty, or ends in "/"
	page   int
}

var (
	_ changelog.BlobStore      = (*Store)(nil)
	_ changelog.RevisionLister = (*Store)(nil)
)

// Open connects to the object store and creates the bucket when it is
// missing.
func Open(ctx context.Context, o Options) (*Store, error) {
	if o.Endpoint == "" || o.Bucket == "" {
		return nil, errors.New("s3blobs: Options need an Endpoint and a Bucket")
	}
	c, err := minio.New(o.Endpoint, &minio.Options{
		Creds:      credentials.NewStaticV4(o.AccessKey, o.SecretKey, ""),
		Secure:     o.Secure,
		Region:     o.Region,
		MaxRetries: o.MaxRetries,
	})
	if err != nil {
		return nil, fmt.Errorf("s3blobs: %w", err)
	}
	s := &Store{client: c, bucket: o.Bucket, page: o.PageSize}
	if p := strings.Trim(o.Prefix, "/"); p != "" {
		s.prefix = p + "/"
	}
	if err := s.makeBucket(ctx, o.Region); err != nil {
		return nil, fmt.Errorf("s3blobs: bucket %s: %w", o.Bucket, err)
	}
	return s, nil
}

// makeBucket creates the bucket unless it exists; of two processes
// creating it at once, both succeed.
func (s *Store) makeBucket(ctx context.Context, region string) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil || ok {
		return err
	}
	err = s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: region})
	switch minio.ToErrorResponse(err).Code {
	case "BucketAlreadyOwnedByYou", "BucketAlreadyExists":
		// Created meanwhile by another; an existing bucket that is not
		// ours fails the next request instead.
		return nil
	}
	return err
}

// key is the object name of rev.
func (s *Store) key(rev changelog.Revision) string { return s.prefix + rev.String() }

// Put implements changelog.BlobStore with one PutObject: the object is
// visible once complete, or not at all.
func (s *Store) Put(ctx context.Context, rev changelog.Revision, data []byte) error {
	_, err := s.client.PutObject(ctx, s.bucket, s.key(rev), bytes.NewReader(data), int64(len(data)),
		minio.PutObjectOptions{ContentType: "application/octet-stream"})
	if err != nil {
		return fmt.Errorf("s3blobs: put %s: %w", rev, err)
	}
	return nil
}

// Get implements changelog.BlobStore: a missing object (NoSuchKey) is
// changelog.ErrNotFound; any other failure is returned as it is.
func (s *Store) Get(ctx context.Context, rev changelog.Revision) ([]byte, error) {
	obj, err := s.client.GetObject(ctx, s.bucket, s.key(rev), minio.GetObjectOptions{})
	if err != nil {
		return nil, s.getErr(rev, err)
	}
	defer obj.Close()
	b, err := io.ReadAll(obj)
	if err != nil {
		return nil, s.getErr(rev, err)
	}
	if b == nil {
		b = []byte{} // an empty blob is present
	}
	return b, nil
}

func (s *Store) getErr(rev changelog.Revision, err error) error {
	if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
		return changelog.ErrNotFound
	}
	return fmt.Errorf("s3blobs: get %s: %w", rev, err)
}

// Delete implements changelog.BlobStore: S3 deletes a missing key
// without complaint, and a NoSuchKey from a stricter server is fine too.
func (s *Store) Delete(ctx context.Context, rev changelog.Revision) error {
	err := s.client.RemoveObject(ctx, s.bucket, s.key(rev), minio.RemoveObjectOptions{})
	if err != nil && minio.ToErrorResponse(err).Code != minio.NoSuchKey {
		return fmt.Errorf("s3blobs: delete %s: %w", rev, err)
	}
	return nil
}

// Revisions implements changelog.RevisionLister: the objects directly
// under the prefix, page after page. Keys that are not a revision's (and
// the folders of other prefixes within this one) are ignored.
func (s *Store) Revisions(ctx context.Context) ([]changelog.Revision, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing goroutine on an early return
	var out []changelog.Revision
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix, MaxKeys: s.page}) {
		if obj.Err != nil {
			return nil, fmt.Errorf("s3blobs: revisions: %w", obj.Err)
		}
		if rev, ok := s.parseKey(obj.Key); ok {
			out = append(out, rev)
		}
	}
	return out, ctx.Err()
}

// parseKey returns the revision of the object key, if Put makes that key.
func (s *Store) parseKey(key string) (changelog.Revision, bool) {
	name, ok := strings.CutPrefix(key, s.prefix)
	if !ok {
		return changelog.Revision{}, false
	}
	id, err := uuid.Parse(name)
	if err != nil {
		return changelog.Revision{}, false
	}
	rev := changelog.Revision(id)
	return rev, rev.String() == name
}
