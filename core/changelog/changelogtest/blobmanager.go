package changelogtest

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/kv/memkv"
)

// errStop stops a Manager's write at a step, as a crash would.
var errStop = errors.New("changelogtest: the writer stops here")

// blobOp is one step of a RunBlobManager scenario.
type blobOp struct {
	object string
	value  []byte         // nil: delete object
	crash  changelog.Step // the write stops at this step (empty: it completes)
	orphan bool           // value goes straight into the blob tier, referenced by nothing
}

// bigValue is a value past the inline limit, so it lives in the blob tier.
func bigValue(tag string) []byte {
	return bytes.Repeat([]byte(tag), 4*changelog.DefaultInlineMax/len(tag)+1)
}

// RunBlobManager runs a changelog.Manager (over memkv and a Memory log)
// on the blob tiers open makes, through writes that complete, writes that
// stop at a step as a crash would, and orphans: after Recover and Sweep the
// values read back and the tier holds exactly the revisions referenced.
// Every blob tier a server brings runs it beside RunBlobStore.
func RunBlobManager(t *testing.T, open BlobOpener) {
	small := []byte("small")
	tests := []struct {
		name string
		ops  []blobOp
		want map[string][]byte
	}{
		{"Large", []blobOp{{object: "a", value: bigValue("a1")}}, map[string][]byte{"a": bigValue("a1")}},
		{"OverwriteLarge", []blobOp{{object: "a", value: bigValue("a1")}, {object: "a", value: bigValue("a2")}}, map[string][]byte{"a": bigValue("a2")}},
		{"LargeToSmall", []blobOp{{object: "a", value: bigValue("a1")}, {object: "a", value: small}}, map[string][]byte{"a": small}},
		{"SmallToLarge", []blobOp{{object: "a", value: small}, {object: "a", value: bigValue("a2")}}, map[string][]byte{"a": bigValue("a2")}},
		{"Delete", []blobOp{{object: "a", value: bigValue("a1")}, {object: "b", value: bigValue("b1")}, {object: "a"}}, map[string][]byte{"b": bigValue("b1")}},
		{"CrashAfterWritten", []blobOp{{object: "a", value: bigValue("a1")}, {object: "a", value: bigValue("a2"), crash: changelog.StepWritten}}, map[string][]byte{"a": bigValue("a1")}},
		{"CrashAfterDeleted", []blobOp{{object: "a", value: bigValue("a1")}, {object: "a", value: bigValue("a2"), crash: changelog.StepDeleted}}, map[string][]byte{"a": bigValue("a2")}},
		{"CrashBeforeRemove", []blobOp{{object: "a", value: bigValue("a1")}, {object: "a", crash: changelog.StepBeforeRemove}}, map[string][]byte{}},
		{"Orphan", []blobOp{{object: "a", value: bigValue("a1")}, {value: bigValue("lost"), orphan: true}}, map[string][]byte{"a": bigValue("a1")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			blobs := open(t)
			lister, ok := blobs.(changelog.RevisionLister)
			require.True(t, ok, "%T is no RevisionLister", blobs)
			var crashAt changelog.Step
			m, err := changelog.NewManager(ctx, memkv.New(), changelog.NewMemory(nil), blobs, changelog.ManagerOptions{
				Hook: func(step changelog.Step, _ string) error {
					if step == crashAt {
						return errStop
					}
					return nil
				},
			})
			require.NoError(t, err)
			for _, o := range tc.ops {
				if o.orphan {
					require.NoError(t, blobs.Put(ctx, newRev(t), o.value))
					continue
				}
				crashAt = o.crash
				if o.value == nil {
					err = m.Delete(ctx, o.object)
				} else {
					err = m.Put(ctx, o.object, o.value)
				}
				crashAt = ""
				if o.crash != "" {
					require.ErrorIs(t, err, errStop)
				} else {
					require.NoError(t, err)
				}
			}
			_, err = m.Recover(ctx)
			require.NoError(t, err)
			_, err = m.Sweep(ctx)
			require.NoError(t, err)

			for _, object := range []string{"a", "b"} {
				got, err := m.Get(ctx, object)
				if want, ok := tc.want[object]; ok {
					require.NoError(t, err, object)
					assert.True(t, bytes.Equal(want, got), "%s reads back", object)
				} else {
					assert.ErrorIs(t, err, changelog.ErrNotFound, object)
				}
			}
			refs, err := m.Referenced(ctx)
			require.NoError(t, err)
			revs, err := lister.Revisions(ctx)
			require.NoError(t, err)
			assert.ElementsMatch(t, refs, revs, "the tier holds exactly the referenced blobs")
			nLarge := 0
			for _, v := range tc.want {
				if len(v) > changelog.DefaultInlineMax {
					nLarge++
				}
			}
			assert.Len(t, refs, nLarge, "large values are in the blob tier")
		})
	}
}
