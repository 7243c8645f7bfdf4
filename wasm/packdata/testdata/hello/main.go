// Command hello is the module pack_test.go packs: a small Go program whose
// output depends on initialized data with runs of zeros in it (so the
// linker cuts it into many segments) and on the pclntab and findfunctab
// (the name and line of a caller, a stack walk).
package main

import (
	"fmt"
	"hash/fnv"
	"runtime"
	"unsafe"
)

// table is laid out by the linker as data with long runs of zeros.
var table = [256]uint32{3: 0xdeadbeef, 17: 1, 64: 2, 65: 3, 200: 0xffffffff, 255: 42}

var words = map[string]int{"alpha": 1, "beta": 2, "gamma": 3}

func where() string {
	pc, _, line, ok := runtime.Caller(1)
	if !ok {
		return "?"
	}
	return fmt.Sprintf("%s:%d", runtime.FuncForPC(pc).Name(), line)
}

func main() {
	h := fnv.New64a()
	h.Write(unsafe.Slice((*byte)(unsafe.Pointer(&table)), unsafe.Sizeof(table)))
	pcs := make([]uintptr, 32)
	depth := runtime.Callers(0, pcs)
	fmt.Printf("hello: table %016x, words %d, at %s, %d frames\n", h.Sum64(), words["beta"], where(), depth)
}
