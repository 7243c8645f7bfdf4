//go:build !js

package fsblobs_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/changelog/changelogtest"
	"github.com/idbsync/idbsync/core/kv/memkv"
	"github.com/idbsync/idbsync/server/fsblobs"
)

var ctx = context.Background()

func open(t testing.TB, dir string) *fsblobs.Store {
	t.Helper()
	s, err := fsblobs.Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	return s
}

func newRev(t testing.TB) changelog.Revision {
	t.Helper()
	r, err := changelog.NewRevision()
	require.NoError(t, err)
	return r
}

// revWith is a fresh revision whose first byte is b, so its subfolder is
// known in advance.
func revWith(t testing.TB, b byte) changelog.Revision {
	r := newRev(t)
	r[0] = b
	return r
}

// files lists every file under dir, relative to it.
func files(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return err
	}))
	return out
}

func TestBlobStore(t *testing.T) {
	changelogtest.RunBlobStore(t, func(t testing.TB) changelog.BlobStore {
		return open(t, t.TempDir())
	})
}

func TestOpenCreatesFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	s := open(t, dir)
	assert.Equal(t, dir, s.Dir())
	rev := newRev(t)
	require.NoError(t, s.Put(ctx, rev, []byte("x")))
	assert.Equal(t, []string{rev.String()[:2] + "/" + rev.String()}, files(t, dir), "one file per revision, in the subfolder of its first two hex digits")
}

// A Put killed before its rename leaves <uuid>.tmp-<random> beside where
// the blob would be: a partial blob, listed under its revision, absent for
// Get, removed by Delete.
func TestCrashedPut(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	done, killed := revWith(t, 0x3c), revWith(t, 0x3c)
	require.NoError(t, s.Put(ctx, done, []byte("complete")))
	partial := func(rev changelog.Revision, tail string) string {
		p := filepath.Join(dir, rev.String()[:2], rev.String()+".tmp-"+tail)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte("half a bl"), 0o644))
		return p
	}
	tmps := []string{
		partial(killed, "0123456789abcdef"),
		partial(killed, "fedcba9876543210"), // killed twice: a retried put
		partial(done, "00000000deadbeef"),   // a retry of a complete put, killed
	}

	revs, err := s.Revisions(ctx)
	require.NoError(t, err)
	assert.ElementsMatch(t, []changelog.Revision{done, killed}, revs, "a partial revision is listed, once")
	_, err = s.Get(ctx, killed)
	require.ErrorIs(t, err, changelog.ErrNotFound, "a partial blob is absent")
	assert.Equal(t, []byte("complete"), must(s.Get(ctx, done)), "a leftover retry does not hide the complete blob")

	require.NoError(t, s.Delete(ctx, killed))
	for _, p := range tmps[:2] {
		assert.NoFileExists(t, p, "Delete removes the partials of its revision")
	}
	assert.FileExists(t, tmps[2], "and only those")
	require.NoError(t, s.Delete(ctx, done))
	assert.Empty(t, files(t, dir))
	revs, err = s.Revisions(ctx)
	require.NoError(t, err)
	assert.Empty(t, revs)
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// Paths are built from a revision's uuid string alone, so every revision,
// the extreme ones too, lands in its subfolder; files that are not a
// revision's are not listed; and a symbolic link planted in the folder
// cannot lead a Put outside it.
func TestContained(t *testing.T) {
	t.Run("Layout", func(t *testing.T) {
		dir := t.TempDir()
		s := open(t, dir)
		var zero, ones changelog.Revision
		for i := range ones {
			ones[i] = 0xFF
		}
		var want []string
		for _, rev := range []changelog.Revision{zero, ones, newRev(t)} {
			require.NoError(t, s.Put(ctx, rev, []byte(rev.String())))
			assert.Equal(t, []byte(rev.String()), must(s.Get(ctx, rev)))
			want = append(want, rev.String()[:2]+"/"+rev.String())
		}
		assert.ElementsMatch(t, want, files(t, dir))
	})
	t.Run("StrayFiles", func(t *testing.T) {
		dir := t.TempDir()
		s := open(t, dir)
		rev := newRev(t)
		require.NoError(t, s.Put(ctx, rev, []byte("kept")))
		other := newRev(t)
		wrongSub := "00"
		if other.String()[:2] == wrongSub {
			wrongSub = "01"
		}
		for p, body := range map[string]string{
			"README":                         "not a blob",
			rev.String():                     "a blob outside its subfolder",
			"zz/" + other.String():           "no such subfolder",
			wrongSub + "/" + other.String():  "the wrong subfolder",
			rev.String()[:2] + "/not-a-uuid": "not a uuid",
			rev.String()[:2] + "/" + "x" + rev.String()[1:]: "almost",
		} {
			require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(dir, p), []byte(body), 0o644))
		}
		revs, err := s.Revisions(ctx)
		require.NoError(t, err)
		assert.Equal(t, []changelog.Revision{rev}, revs, "only names Put makes are revisions")
	})
	t.Run("Symlink", func(t *testing.T) {
		dir, outside := t.TempDir(), t.TempDir()
		s := open(t, dir)
		require.NoError(t, os.Remove(filepath.Join(dir, "ab")))
		require.NoError(t, os.Symlink(outside, filepath.Join(dir, "ab")))
		err := s.Put(ctx, revWith(t, 0xab), []byte("escaped?"))
		require.Error(t, err, "the subfolder leads outside the store")
		assert.Empty(t, files(t, outside), "nothing was written outside")
	})
}

func TestClosed(t *testing.T) {
	s, err := fsblobs.Open(t.TempDir())
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "closing twice is fine")
	rev := newRev(t)
	assert.ErrorIs(t, s.Put(ctx, rev, nil), fsblobs.ErrClosed)
	_, err = s.Get(ctx, rev)
	assert.ErrorIs(t, err, fsblobs.ErrClosed)
	assert.ErrorIs(t, s.Delete(ctx, rev), fsblobs.ErrClosed)
	_, err = s.Revisions(ctx)
	assert.ErrorIs(t, err, fsblobs.ErrClosed)
}

// TestManager runs the Manager's crash table over a folder: after Recover
// and Sweep it holds exactly the revisions the reference tier points to,
// and no temporary file.
func TestManager(t *testing.T) {
	changelogtest.RunBlobManager(t, func(t testing.TB) changelog.BlobStore {
		dir := t.TempDir()
		t.Cleanup(func() {
			for _, f := range files(t, dir) {
				assert.NotContains(t, f, ".tmp-", "no temporary file is left")
			}
		})
		return open(t, dir)
	})
}

// TestSweepRemovesPartialPut: a Put killed mid-file leaves a temporary file
// that nothing names; a Manager's Sweep removes it and keeps the value.
func TestSweepRemovesPartialPut(t *testing.T) {
	dir := t.TempDir()
	blobs := open(t, dir)
	m, err := changelog.NewManager(ctx, memkv.New(), changelog.NewMemory(nil), blobs, changelog.ManagerOptions{})
	require.NoError(t, err)
	value := bytes.Repeat([]byte("a"), 4*changelog.DefaultInlineMax)
	require.NoError(t, m.Put(ctx, "a", value))
	rev := newRev(t)
	p := filepath.Join(dir, rev.String()[:2], rev.String()+".tmp-0badc0ffee0badc0")
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, value[:len(value)/2], 0o644))
	n, err := m.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "the partial blob is swept")
	got, err := m.Get(ctx, "a")
	require.NoError(t, err)
	assert.True(t, bytes.Equal(value, got))
	for _, f := range files(t, dir) {
		assert.NotContains(t, f, ".tmp-")
	}
}
