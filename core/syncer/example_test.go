package syncer_test

import (
	"context"
	"fmt"
	"log"

	"github.com/idbsync/idbsync/core/kv/memkv"
	"github.com/idbsync/idbsync/core/oplog"
	"github.com/idbsync/idbsync/core/syncer"
)

// Two replicas write while apart, then one Sync gives each what the other
// wrote. A remote replica would be a Replica that forwards the three calls
// over its transport instead of Local.
func Example() {
	ctx := context.Background()
	open := func() *oplog.Processor {
		p, err := oplog.Open(ctx, memkv.New(), oplog.Options{})
		if err != nil {
			log.Fatal(err)
		}
		return p
	}
	laptop, phone := open(), open()
	defer laptop.Close()
	defer phone.Close()

	if _, err := laptop.Exec(ctx, oplog.Put("todo/1", []byte("buy milk"))); err != nil {
		log.Fatal(err)
	}
	if _, err := phone.Exec(ctx, oplog.Put("todo/2", []byte("call Ann")), oplog.Put("todo/3", []byte("water plants"))); err != nil {
		log.Fatal(err)
	}

	res, err := syncer.Sync(ctx, syncer.Local(laptop), syncer.Local(phone), syncer.Options{PageSize: 100})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("to laptop: %d, to phone: %d\n", res.ToA, res.ToB)

	todos, err := laptop.Reducer().(*oplog.LWW).Scan(ctx, "todo/", 0)
	if err != nil {
		log.Fatal(err)
	}
	for _, v := range todos {
		fmt.Printf("%s = %s\n", v.Key, v.Value)
	}
	a, _ := laptop.Cursors(ctx)
	b, _ := phone.Cursors(ctx)
	fmt.Println("cursors:", a.Compare(b))

	// Output:
	// to laptop: 2, to phone: 1
	// todo/1 = buy milk
	// todo/2 = call Ann
	// todo/3 = water plants
	// cursors: equal
}
