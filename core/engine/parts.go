package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/oplog"
)

// Chunked uploads. A blob larger than PartSize goes to the sync server in
// parts: part n holds bytes [n*PartSize, (n+1)*PartSize) of it. Each part
// is staged crash-safely as the blob-tier object "part/<hash>/<n>"; the one
// that completes the set assembles them, checks the whole against its hash
// and stores it (StoreBlob), then drops the parts. An upload cut short
// resumes from Parts; parts nobody completes are collected by SweepBlobs
// after Options.BlobGrace.

// PartSize is the size of each part of a chunked upload but the last.
const PartSize = 1 << 20

const partPrefix = "part/"

func partObject(hash string, n int) string {
	return fmt.Sprintf("%s%s/%06d", partPrefix, hash, n)
}

// parseParts reads "part/<hash>/<n>".
func parsePart(object string) (hash string, n int, ok bool) {
	rest, ok := strings.CutPrefix(object, partPrefix)
	if !ok {
		return "", 0, false
	}
	i := strings.IndexByte(rest, '/')
	if i < 0 || !ValidHash(rest[:i]) {
		return "", 0, false
	}
	hash = rest[:i]
	n, err := strconv.Atoi(rest[i+1:])
	return hash, n, err == nil && n >= 0
}

// partCount is how many parts a blob of size bytes has.
func partCount(size int64) int { return int((size + PartSize - 1) / PartSize) }

// StagePart keeps part n of the blob hash of size bytes. When every part
// is here it assembles the blob, checks it hashes to hash (oplog.ErrCorrupt
// otherwise, and the parts are dropped: start again), stores it and drops
// the parts; complete tells that the blob is stored (at once when it
// already was).
func (e *Engine) StagePart(ctx context.Context, hash string, size int64, n int, data []byte) (complete bool, err error) {
	if err := e.use(); err != nil {
		return false, err
	}
	if !ValidHash(hash) {
		return false, fmt.Errorf("%w: %q is not a lowercase hex SHA-256", oplog.ErrInvalidOp, hash)
	}
	count := partCount(size)
	if size <= 0 || n < 0 || n >= count {
		return false, fmt.Errorf("%w: part %d of a blob of %d bytes (%d parts of %d bytes)", oplog.ErrInvalidOp, n, size, count, PartSize)
	}
	want := int64(PartSize)
	if n == count-1 {
		want = size - int64(n)*PartSize
	}
	if int64(len(data)) != want {
		return false, fmt.Errorf("%w: part %d of a blob of %d bytes holds %d bytes, not %d", oplog.ErrInvalidOp, n, size, len(data), want)
	}
	if have, err := e.hasContent(ctx, hash); err != nil || have {
		return have, err
	}
	if err := e.mgr.Put(ctx, partObject(hash, n), data); err != nil {
		return false, err
	}
	staged, err := e.parts(ctx, hash)
	if err != nil || len(staged) < count {
		return false, err
	}
	whole := make([]byte, 0, size)
	for i := range count {
		p, err := e.mgr.Get(ctx, partObject(hash, i))
		if errors.Is(err, changelog.ErrNotFound) {
			return false, nil // collected meanwhile: the client sends it again
		}
		if err != nil {
			return false, err
		}
		whole = append(whole, p...)
	}
	if got := HashBlob(whole); got != hash || int64(len(whole)) != size {
		if err := e.dropParts(ctx, hash, staged); err != nil {
			return false, err
		}
		return false, fmt.Errorf("%w: the parts of blob %s (%d bytes) hash to %s: send them again", oplog.ErrCorrupt, hash, size, got)
	}
	if err := e.storeContent(ctx, hash, whole); err != nil {
		return false, err
	}
	return true, e.dropParts(ctx, hash, staged)
}

// Parts returns the numbers of the parts of hash staged, ascending.
func (e *Engine) Parts(ctx context.Context, hash string) ([]int, error) {
	if err := e.use(); err != nil {
		return nil, err
	}
	if !ValidHash(hash) {
		return nil, fmt.Errorf("%w: %q is not a lowercase hex SHA-256", oplog.ErrInvalidOp, hash)
	}
	return e.parts(ctx, hash)
}

func (e *Engine) parts(ctx context.Context, hash string) ([]int, error) {
	objects, err := e.mgr.Objects(ctx, partPrefix+hash+"/")
	if err != nil {
		return nil, err
	}
	out := make([]int, 0, len(objects))
	for _, o := range objects {
		if _, n, ok := parsePart(o); ok {
			out = append(out, n)
		}
	}
	return out, nil
}

func (e *Engine) dropParts(ctx context.Context, hash string, parts []int) error {
	for _, n := range parts {
		if err := e.mgr.Delete(ctx, partObject(hash, n)); err != nil {
			return err
		}
	}
	return nil
}
