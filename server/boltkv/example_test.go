//go:build !js

package boltkv_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/idbsync/idbsync/core/kv"
	"github.com/idbsync/idbsync/server/boltkv"
)

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "boltkv")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	s, err := boltkv.Open(filepath.Join(dir, "idbsync.db"), boltkv.Options{Tables: []string{"space/heads"}})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	ctx := context.Background()
	var b kv.Batch
	b.ExpectAbsent("space/heads", []byte("peer"))
	b.Put("space/heads", []byte("peer"), []byte("1"))
	if err := s.Commit(ctx, &b); err != nil {
		log.Fatal(err)
	}
	v, err := s.Get(ctx, "space/heads", []byte("peer"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(v))
	// Output: 1
}
