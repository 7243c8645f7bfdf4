package engine_test

import (
	"context"
	"fmt"
	"log"

	"github.com/idbsync/idbsync/core/engine"
	"github.com/idbsync/idbsync/core/kv/memkv"
	"github.com/idbsync/idbsync/core/oplog"
	"github.com/idbsync/idbsync/core/syncer"
)

// Two devices write while apart, attach a blob, and one Sync converges
// them. In a browser the store is IndexedDB and Alive asks a Web Lock; on
// a server the store is bbolt or PostgreSQL.
func Example() {
	ctx := context.Background()
	openDevice := func(name string) *engine.Engine {
		e, err := engine.Open(ctx, engine.Options{Store: memkv.New(), Name: name})
		if err != nil {
			log.Fatal(err)
		}
		return e
	}
	laptop, phone := openDevice("laptop"), openDevice("phone")
	defer laptop.Close()
	defer phone.Close()

	changes, stop := phone.Watch("note/")
	defer stop()

	if _, err := laptop.Exec(ctx, oplog.Put("note/1", []byte("buy milk"))); err != nil {
		log.Fatal(err)
	}
	if _, err := phone.Exec(ctx, oplog.Put("todo/1", []byte("call Ann"))); err != nil {
		log.Fatal(err)
	}
	if _, err := laptop.PutBlob(ctx, "att/photo", make([]byte, 1<<20)); err != nil {
		log.Fatal(err)
	}

	res, err := syncer.Sync(ctx, laptop, phone, syncer.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("to laptop: %d, to phone: %d\n", res.ToA, res.ToB)
	fmt.Println("phone saw:", <-changes)

	v, _, err := phone.Get(ctx, "note/1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("note/1 on the phone: %s\n", v)
	photo, _, err := phone.GetBlob(ctx, "att/photo") // the sync carried its bytes
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("att/photo on the phone: %d bytes\n", len(photo))
	stats, err := laptop.Stats(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("laptop blobs: %d stored, %d referenced\n", stats.Blobs, stats.Referenced)

	// Output:
	// to laptop: 1, to phone: 2
	// phone saw: [note/1]
	// note/1 on the phone: buy milk
	// att/photo on the phone: 1048576 bytes
	// laptop blobs: 1 stored, 1 referenced
}
