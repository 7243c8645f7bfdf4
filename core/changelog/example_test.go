package changelog_test

import (
	"bytes"
	"context"
	"fmt"
	"log"

	"github.com/idbsync/idbsync/core/changelog"
	"github.com/idbsync/idbsync/core/kv/memkv"
)

// A Manager keeps small values inline and large ones in the blob tier,
// each large write guarded by the change log: recorded first, removed once
// the replaced blob is gone, so a crash anywhere leaves nothing for
// Recover but garbage to collect.
func ExampleManager() {
	ctx := context.Background()
	store := memkv.New()
	instance, err := changelog.OpenDurable(ctx, store, changelog.DurableOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer instance.Close()
	blobs, err := changelog.NewKVBlobs(ctx, store, "", 0)
	if err != nil {
		log.Fatal(err)
	}
	m, err := changelog.NewManager(ctx, store, instance, blobs, changelog.ManagerOptions{})
	if err != nil {
		log.Fatal(err)
	}

	photo := bytes.Repeat([]byte{0xFF}, 1<<20)
	if err := m.Put(ctx, "photo", photo); err != nil {
		log.Fatal(err)
	}
	if err := m.Put(ctx, "photo", append(photo, 0x00)); err != nil { // replaces the blob
		log.Fatal(err)
	}
	if err := m.Put(ctx, "caption", []byte("at the lake")); err != nil { // inline
		log.Fatal(err)
	}
	got, err := m.Get(ctx, "photo")
	if err != nil {
		log.Fatal(err)
	}
	revs, _ := blobs.Revisions(ctx)
	pending, _ := instance.Pending(ctx)
	fmt.Printf("photo: %d bytes; blobs stored: %d; changes pending: %d\n", len(got), len(revs), len(pending))

	n, err := m.Recover(ctx)
	fmt.Println("recovered:", n, err)

	// Output:
	// photo: 1048577 bytes; blobs stored: 1; changes pending: 0
	// recovered: 0 <nil>
}
