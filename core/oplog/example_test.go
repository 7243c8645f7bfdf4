package oplog_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/idbsync/idbsync/core/kv/memkv"
	"github.com/idbsync/idbsync/core/oplog"
)

// A Processor writes local entries with Exec and ingests a replica's with
// ApplyBatch, exactly once: entries already here are skipped, a gap is
// refused, and the state (here the built-in LWW) follows in the same batch.
func ExampleProcessor() {
	ctx := context.Background()
	state := &oplog.LWW{}
	desk, err := oplog.Open(ctx, memkv.New(), oplog.Options{Reducer: state})
	if err != nil {
		log.Fatal(err)
	}
	defer desk.Close()
	phone, err := oplog.Open(ctx, memkv.New(), oplog.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer phone.Close()

	w, err := phone.Exec(ctx, oplog.Put("color", []byte("blue")), oplog.Put("size", []byte("L")))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("phone wrote indexes [%d, %d)\n", w.From, w.To)

	entries, err := phone.ReadSince(ctx, phone.Peer(), 0, 0)
	if err != nil {
		log.Fatal(err)
	}
	res, err := desk.ApplyBatch(ctx, entries)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("applied %d, skipped %d\n", res.Applied, res.Skipped)
	res, _ = desk.ApplyBatch(ctx, entries)
	fmt.Printf("again: applied %d, skipped %d\n", res.Applied, res.Skipped)

	_, err = desk.ApplyBatch(ctx, entries[1:]) // fine: index 1 is here
	fmt.Println("a repeat:", err)
	gap := entries[1]
	gap.Idx = 5
	_, err = desk.ApplyBatch(ctx, []oplog.Entry{gap})
	fmt.Println("a gap is refused:", errors.Is(err, oplog.ErrCursorMismatch))

	v, err := state.Get(ctx, "color")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("color = %s\n", v.Value)

	// Output:
	// phone wrote indexes [0, 2)
	// applied 2, skipped 0
	// again: applied 0, skipped 2
	// a repeat: <nil>
	// a gap is refused: true
	// color = blue
}
