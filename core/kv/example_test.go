package kv_test

import (
	"context"
	"fmt"
	"log"

	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/core/kv/memkv"
)

// A log entry key is the tuple (peer, index): entries of one peer are
// adjacent and sorted by index.
func ExampleAppendUUID() {
	peer := [16]byte{0x0a, 0x0b, 15: 0x01}

	key := kv.AppendUUID(nil, peer)
	key = kv.AppendUint64(key, 42)
	fmt.Printf("%x\n", key)

	id, rest, err := kv.ReadUUID(key)
	if err != nil {
		log.Fatal(err)
	}
	index, rest, err := kv.ReadUint64(rest)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("peer %x index %d, %d bytes left\n", id, index, len(rest))
	// Output:
	// 0a0b0000000000000000000000000001000000000000002a
	// peer 0a0b0000000000000000000000000001 index 42, 0 bytes left
}

// Scanning the prefix of one peer returns its entries in index order and
// none of another peer's.
func ExamplePrefix() {
	ctx := context.Background()
	store := memkv.New("log")
	defer store.Close()

	alice := [16]byte{0xa1}
	bob := [16]byte{0xb0}
	entry := func(peer [16]byte, index uint64) []byte {
		return kv.AppendUint64(kv.AppendUUID(nil, peer), index)
	}

	var b kv.Batch
	b.Put("log", entry(alice, 10), []byte("alice 10"))
	b.Put("log", entry(bob, 1), []byte("bob 1"))
	b.Put("log", entry(alice, 2), []byte("alice 2"))
	b.Put("log", entry(alice, 1), []byte("alice 1"))
	if err := store.Commit(ctx, &b); err != nil {
		log.Fatal(err)
	}

	rows, err := store.Scan(ctx, "log", kv.Prefix(kv.AppendUUID(nil, alice)))
	if err != nil {
		log.Fatal(err)
	}
	for _, row := range rows {
		_, rest, _ := kv.ReadUUID(row.Key)
		index, _, _ := kv.ReadUint64(rest)
		fmt.Printf("%d: %s\n", index, row.Value)
	}

	// The newest entry of a peer: the same range, reversed, one row.
	last := kv.Prefix(kv.AppendUUID(nil, alice))
	last.Reverse, last.Limit = true, 1
	rows, err = store.Scan(ctx, "log", last)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("last: %s\n", rows[0].Value)
	// Output:
	// 1: alice 1
	// 2: alice 2
	// 10: alice 10
	// last: alice 10
}
