package engine

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/internal/sha256"
	"github.com/idbsync/idbsync/core/oplog"
	"github.com/idbsync/idbsync/core/syncer"
)

// Attachments. PutBlob stores a value's bytes once per content, as the
// blob-tier object "sha256/<hex>", and writes an op-log entry that puts a
// BlobRef (the hash and the size) under the reserved key attachPrefix+key.
// The entry travels like any other: a replica that applies it knows the
// blob exists and what its bytes must hash to, and fetches them (from the
// server's blob tier, or a local engine it syncs with) when GetBlob finds
// them missing (ErrBlobMissing). Content nothing references any more is
// collected: at once by the DeleteBlob or PutBlob that dropped the last
// reference, and by SweepBlobs (run with recovery) once it has been seen
// unreferenced for Options.BlobGrace, which leaves a write of another tab
// time to commit the reference to content it has just stored.
//
// Blobs written by builds before attachments (object name = key, no entry)
// still read, and DeleteBlob deletes them.

// attachPrefix starts the key of every attachment reference in the op
// log's state. Apps cannot write, read or scan keys under it.
const attachPrefix = "\x00blob/"

// contentPrefix starts the blob-tier object name of an attachment's bytes.
const contentPrefix = "sha256/"

// DefaultBlobGrace is how long SweepBlobs leaves unreferenced content.
const DefaultBlobGrace = time.Minute

// BlobRef names an attachment's bytes: their SHA-256 and length.
type BlobRef struct {
	Hash string // lowercase hex SHA-256 of the bytes
	Size int64
}

// HashBlob returns the name of data as an attachment: its lowercase hex
// SHA-256.
func HashBlob(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// ValidHash tells whether h is a lowercase hex SHA-256.
func ValidHash(h string) bool {
	if len(h) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func contentObject(hash string) string { return contentPrefix + hash }

// engineObject tells whether a blob-tier object name is one the engine
// writes itself (an attachment's content or a staged part), not the key of
// a blob of a build before attachments, which could be any name: only
// those are the sweep's to collect, and no legacy read or delete reaches
// them.
func engineObject(object string) bool {
	if h, ok := strings.CutPrefix(object, contentPrefix); ok && ValidHash(h) {
		return true
	}
	_, _, ok := parsePart(object)
	return ok
}

// engineObjects keeps, in place, the names engineObject tells are the
// engine's.
func engineObjects(objects []string) []string {
	kept := objects[:0]
	for _, obj := range objects {
		if engineObject(obj) {
			kept = append(kept, obj)
		}
	}
	clear(objects[len(kept):])
	return kept
}

// reservedKey refuses an app's key under attachPrefix.
func reservedKey(key string) error {
	if strings.HasPrefix(key, attachPrefix) {
		return fmt.Errorf("%w: key %q: keys starting with \\x00blob/ hold idbsync's attachments", oplog.ErrInvalidOp, key)
	}
	return nil
}

func encodeRef(r BlobRef) ([]byte, error) {
	if !ValidHash(r.Hash) || r.Size < 0 {
		return nil, fmt.Errorf("%w: blob reference %q of %d bytes", oplog.ErrInvalidOp, r.Hash, r.Size)
	}
	raw := make([]byte, sha256.Size)
	for i := range raw {
		raw[i] = unhex(r.Hash[2*i])<<4 | unhex(r.Hash[2*i+1])
	}
	return (&blobRefRecord{Hash: raw, Size: r.Size}).MarshalMsg(nil)
}

// unhex is the value of a lowercase hex digit (ValidHash checked it):
// encoding/hex's decoder is 2 KB more of the module for this one use.
func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'a' + 10
}

// decodeRef reads a reference stored under an attachment key; ok is false
// for a value that is not one (written by a peer of another build or a
// forger): such a key reads as no attachment.
func decodeRef(v []byte) (BlobRef, bool) {
	var rec blobRefRecord
	if _, err := rec.UnmarshalMsg(v); err != nil || len(rec.Hash) != sha256.Size || rec.Size < 0 {
		return BlobRef{}, false
	}
	return BlobRef{Hash: hex.EncodeToString(rec.Hash), Size: rec.Size}, true
}

// MissingBlobError is ErrBlobMissing with what a fetch needs: the key, the
// hash and the size of the bytes to get.
type MissingBlobError struct {
	Key string
	Ref BlobRef
}

func (e *MissingBlobError) Error() string {
	return fmt.Sprintf("%s: blob %q (%s, %d bytes)", ErrBlobMissing, e.Key, e.Ref.Hash, e.Ref.Size)
}

// Is makes errors.Is(err, ErrBlobMissing) true.
func (e *MissingBlobError) Is(target error) bool { return target == ErrBlobMissing }

// ref reads the attachment reference of key (found false: none).
func (e *Engine) ref(ctx context.Context, key string) (BlobRef, bool, error) {
	vs, err := e.state.GetMany(ctx, []string{attachPrefix + key})
	if err != nil || vs[0] == nil {
		return BlobRef{}, false, err
	}
	r, ok := decodeRef(vs[0].Value)
	return r, ok, nil
}

// hasContent tells whether the bytes of hash are here.
func (e *Engine) hasContent(ctx context.Context, hash string) (bool, error) {
	return e.mgr.Has(ctx, contentObject(hash))
}

// PutBlob writes data, of any size, as the attachment key: its bytes
// crash-safely to the blob tier (once per content), then an op-log entry
// referencing them, which syncs to other replicas like any write. It
// returns the reference.
func (e *Engine) PutBlob(ctx context.Context, key string, data []byte) (BlobRef, error) {
	if err := e.use(); err != nil {
		return BlobRef{}, err
	}
	return e.putBlob(ctx, key, data, HashBlob(data))
}

// PutBlobHashed is PutBlob for a caller that has hashed data already: hash
// must be its lowercase hex SHA-256 (the browser computes it with WebCrypto,
// many times faster than SHA-256 in wasm). A wrong one is caught where the
// bytes go (the server and StoreBlob check them), never stored there.
func (e *Engine) PutBlobHashed(ctx context.Context, key string, data []byte, hash string) (BlobRef, error) {
	if err := e.use(); err != nil {
		return BlobRef{}, err
	}
	if !ValidHash(hash) {
		return BlobRef{}, fmt.Errorf("%w: %q is not a lowercase hex SHA-256", oplog.ErrInvalidOp, hash)
	}
	return e.putBlob(ctx, key, data, hash)
}

func (e *Engine) putBlob(ctx context.Context, key string, data []byte, hash string) (BlobRef, error) {
	if err := checkBlobKey(key); err != nil {
		return BlobRef{}, err
	}
	ref := BlobRef{Hash: hash, Size: int64(len(data))}
	old, hadOld, err := e.ref(ctx, key)
	if err != nil {
		return ref, err
	}
	if err := e.storeContent(ctx, ref.Hash, data); err != nil {
		return ref, err
	}
	raw, err := encodeRef(ref)
	if err != nil {
		return ref, err
	}
	if _, err := e.exec(ctx, oplog.Put(attachPrefix+key, raw)); err != nil {
		return ref, err
	}
	// Another tab's DeleteBlob may have collected the same content between
	// the write and the reference: write it again then.
	if err := e.storeContent(ctx, ref.Hash, data); err != nil {
		return ref, err
	}
	if hadOld && old.Hash != ref.Hash {
		if err := e.dropIfUnreferenced(ctx, old.Hash); err != nil {
			return ref, err
		}
	}
	return ref, nil
}

// storeContent writes the bytes of hash unless they are here already.
func (e *Engine) storeContent(ctx context.Context, hash string, data []byte) error {
	have, err := e.hasContent(ctx, hash)
	if err != nil || have {
		return err
	}
	return e.mgr.Put(ctx, contentObject(hash), data)
}

func checkBlobKey(key string) error {
	if key == "" {
		return fmt.Errorf("%w: empty blob key", oplog.ErrInvalidOp)
	}
	return reservedKey(key)
}

// GetBlob reads the attachment key: found is false when there is none. An
// attachment whose entry is here but whose bytes are not (written on
// another replica, not fetched yet) is a *MissingBlobError, which names the
// hash to fetch and give to StoreBlob.
func (e *Engine) GetBlob(ctx context.Context, key string) (data []byte, found bool, err error) {
	if err := e.use(); err != nil {
		return nil, false, err
	}
	if err := checkBlobKey(key); err != nil {
		return nil, false, err
	}
	ref, ok, err := e.ref(ctx, key)
	if err != nil {
		return nil, false, err
	}
	object := key // a blob of a build before attachments
	switch {
	case ok:
		object = contentObject(ref.Hash)
	case engineObject(key):
		return nil, false, nil // another attachment's bytes, not key's
	}
	data, err = e.mgr.Get(ctx, object)
	switch {
	case errors.Is(err, changelog.ErrNotFound) && ok:
		return nil, false, &MissingBlobError{Key: key, Ref: ref}
	case errors.Is(err, changelog.ErrNotFound):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	}
	return data, true, nil
}

// DeleteBlob deletes the attachment key (an op-log entry, so it syncs) and
// its bytes once nothing else references them; a missing one is not an
// error.
func (e *Engine) DeleteBlob(ctx context.Context, key string) error {
	if err := e.use(); err != nil {
		return err
	}
	if err := checkBlobKey(key); err != nil {
		return err
	}
	ref, ok, err := e.ref(ctx, key)
	if err != nil {
		return err
	}
	if ok {
		if _, err := e.exec(ctx, oplog.Delete(attachPrefix+key)); err != nil {
			return err
		}
		if err := e.dropIfUnreferenced(ctx, ref.Hash); err != nil {
			return err
		}
	}
	if engineObject(key) {
		return nil // another attachment's bytes (or parts), not key's
	}
	if has, err := e.mgr.Has(ctx, key); err != nil || !has {
		return err
	}
	return e.mgr.Delete(ctx, key)
}

// StoreBlob keeps data as the bytes of hash (fetched from another replica
// for a *MissingBlobError): data must hash to it (oplog.ErrCorrupt
// otherwise), so nothing half-fetched or forged is ever read.
func (e *Engine) StoreBlob(ctx context.Context, hash string, data []byte) error {
	if err := e.use(); err != nil {
		return err
	}
	if !ValidHash(hash) {
		return fmt.Errorf("%w: %q is not a lowercase hex SHA-256", oplog.ErrInvalidOp, hash)
	}
	if got := HashBlob(data); got != hash {
		return fmt.Errorf("%w: the bytes given for blob %s hash to %s", oplog.ErrCorrupt, hash, got)
	}
	return e.storeContent(ctx, hash, data)
}

// StoreBlobHashed is StoreBlob for a caller that has checked that data
// hashes to hash (the browser, with WebCrypto).
func (e *Engine) StoreBlobHashed(ctx context.Context, hash string, data []byte) error {
	if err := e.use(); err != nil {
		return err
	}
	if !ValidHash(hash) {
		return fmt.Errorf("%w: %q is not a lowercase hex SHA-256", oplog.ErrInvalidOp, hash)
	}
	return e.storeContent(ctx, hash, data)
}

// HasBlobs returns which of hashes have their bytes here.
func (e *Engine) HasBlobs(ctx context.Context, hashes []string) ([]bool, error) {
	if err := e.use(); err != nil {
		return nil, err
	}
	out := make([]bool, len(hashes))
	for i, h := range hashes {
		if !ValidHash(h) {
			return nil, fmt.Errorf("%w: %q is not a lowercase hex SHA-256", oplog.ErrInvalidOp, h)
		}
		has, err := e.hasContent(ctx, h)
		if err != nil {
			return nil, err
		}
		out[i] = has
	}
	return out, nil
}

// ReadBlob returns the bytes of hash, or changelog.ErrNotFound.
func (e *Engine) ReadBlob(ctx context.Context, hash string) ([]byte, error) {
	if err := e.use(); err != nil {
		return nil, err
	}
	if !ValidHash(hash) {
		return nil, fmt.Errorf("%w: %q is not a lowercase hex SHA-256", oplog.ErrInvalidOp, hash)
	}
	return e.mgr.Get(ctx, contentObject(hash))
}

// Attachment is one attachment of the state: its key and reference.
type Attachment struct {
	Key string
	BlobRef
}

// Attachments lists every attachment of the state, ascending by key.
func (e *Engine) Attachments(ctx context.Context) ([]Attachment, error) {
	if err := e.use(); err != nil {
		return nil, err
	}
	return e.attachments(ctx)
}

func (e *Engine) attachments(ctx context.Context) ([]Attachment, error) {
	vs, err := e.state.Range(ctx, attachPrefix, "", 0)
	if err != nil {
		return nil, err
	}
	out := make([]Attachment, 0, len(vs))
	for _, v := range vs {
		if r, ok := decodeRef(v.Value); ok {
			out = append(out, Attachment{Key: strings.TrimPrefix(v.Key, attachPrefix), BlobRef: r})
		}
	}
	return out, nil
}

// MissingBlobs lists the attachments whose bytes are not here (to fetch
// ahead of reads).
func (e *Engine) MissingBlobs(ctx context.Context) ([]Attachment, error) {
	all, err := e.Attachments(ctx)
	if err != nil {
		return nil, err
	}
	var out []Attachment
	for _, a := range all {
		has, err := e.hasContent(ctx, a.Hash)
		if err != nil {
			return nil, err
		}
		if !has {
			out = append(out, a)
		}
	}
	return out, nil
}

// referenced returns the hashes the state's attachments reference.
func (e *Engine) referenced(ctx context.Context) (map[string]bool, error) {
	all, err := e.attachments(ctx)
	if err != nil {
		return nil, err
	}
	refs := make(map[string]bool, len(all))
	for _, a := range all {
		refs[a.Hash] = true
	}
	return refs, nil
}

// dropIfUnreferenced deletes the bytes of hash when no attachment of the
// state references them.
func (e *Engine) dropIfUnreferenced(ctx context.Context, hash string) error {
	refs, err := e.referenced(ctx)
	if err != nil || refs[hash] {
		return err
	}
	return e.mgr.Delete(ctx, contentObject(hash))
}

// SweepBlobs deletes attachment bytes no attachment references, and the
// parts of chunked uploads nobody completed, that were already so at a
// sweep at least Options.BlobGrace before (a write of another tab or
// process may be between storing bytes and committing their reference, an
// upload between two parts). Parts of a blob now stored go at once. It
// returns how many objects it deleted.
func (e *Engine) SweepBlobs(ctx context.Context) (int, error) {
	if err := e.use(); err != nil {
		return 0, err
	}
	contents, err := e.mgr.Objects(ctx, contentPrefix)
	if err != nil {
		return 0, err
	}
	parts, err := e.mgr.Objects(ctx, partPrefix)
	if err != nil {
		return 0, err
	}
	refs, err := e.referenced(ctx)
	if err != nil {
		return 0, err
	}
	stored := make(map[string]bool, len(contents))
	// Objects under the prefixes that are not the engine's are blobs of a
	// build before attachments: never collected here.
	contents, parts = engineObjects(contents), engineObjects(parts)
	for _, obj := range contents {
		stored[strings.TrimPrefix(obj, contentPrefix)] = true
	}
	now := e.now()
	e.sweepMu.Lock()
	defer e.sweepMu.Unlock()
	seen := make(map[string]time.Time, len(e.unreferenced))
	var doomed []string
	// ripe tells whether object was garbage for the grace period already.
	ripe := func(object string) bool {
		first, ok := e.unreferenced[object]
		if !ok {
			first = now
		}
		if now.Sub(first) < e.grace {
			seen[object] = first
			return false
		}
		return true
	}
	for _, obj := range contents {
		if !refs[strings.TrimPrefix(obj, contentPrefix)] && ripe(obj) {
			doomed = append(doomed, obj)
		}
	}
	for _, obj := range parts {
		if hash, _, _ := parsePart(obj); stored[hash] || ripe(obj) {
			doomed = append(doomed, obj)
		}
	}
	e.unreferenced = seen
	if len(doomed) == 0 {
		return 0, nil
	}
	// Read the state again: a reference committed since the listing keeps
	// its bytes.
	again, err := e.referenced(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, obj := range doomed {
		if h, ok := strings.CutPrefix(obj, contentPrefix); ok && again[h] {
			continue
		}
		if err := e.mgr.Delete(ctx, obj); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// CarryBlobs implements syncer.BlobCarrier: it gives to, before it gets entries, the attachment bytes they
// reference that to lacks and this engine holds (bytes this engine lacks
// too are for the replica that wrote them to carry).
func (e *Engine) CarryBlobs(ctx context.Context, entries []oplog.Entry, to syncer.BlobSink) error {
	var hashes []string
	seen := map[string]bool{}
	for _, en := range entries {
		if en.Op.Tag != oplog.TagPut || !strings.HasPrefix(en.Op.Key, attachPrefix) {
			continue
		}
		r, ok := decodeRef(en.Op.Value)
		if !ok || seen[r.Hash] {
			continue
		}
		seen[r.Hash] = true
		hashes = append(hashes, r.Hash)
	}
	if len(hashes) == 0 {
		return nil
	}
	has, err := to.HasBlobs(ctx, hashes)
	if err != nil {
		return fmt.Errorf("engine: which blobs the other side holds: %w", err)
	}
	if len(has) != len(hashes) {
		return fmt.Errorf("%w: asked about %d blobs, answered %d", oplog.ErrCorrupt, len(hashes), len(has))
	}
	for i, h := range hashes {
		if has[i] {
			continue
		}
		data, err := e.mgr.Get(ctx, contentObject(h))
		if errors.Is(err, changelog.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if err := to.StoreBlob(ctx, h, data); err != nil {
			return fmt.Errorf("engine: upload of blob %s: %w", h, err)
		}
	}
	return nil
}

// isAttachKey tells a key of the state that holds an attachment reference.
func isAttachKey(k string) bool { return strings.HasPrefix(k, attachPrefix) }

// appKeys drops attachment keys from keys (Watch shows an app only its
// own).
func appKeys(keys []string) []string {
	out := keys[:0:0]
	for _, k := range keys {
		if !isAttachKey(k) {
			out = append(out, k)
		}
	}
	return out
}
