// Command packdata merges the data segments of a WebAssembly module that lie
// less than -gap bytes apart, writing out the zeros between them. For a Go
// module that makes the file larger raw and much smaller gzipped: `make build`
// runs it on dist/idbsync.wasm after wasm-opt (whose memory packing would
// split the segments again), and bench/size/README.md (win 2) has the figures.
//
//	go run ./wasm/packdata [-gap 64] in.wasm out.wasm
//
// in and out may be the same file. It refuses modules with passive segments
// or overlapping ones, and prints the segment counts and sizes.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	gap := flag.Uint("gap", 64, "merge segments less than this many bytes apart")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: packdata [-gap n] in.wasm out.wasm\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 2 || *gap > 1<<32-1 {
		flag.Usage()
		os.Exit(2)
	}
	in, out := flag.Arg(0), flag.Arg(1)
	if err := run(in, out, uint32(*gap)); err != nil {
		fmt.Fprintf(os.Stderr, "packdata: %s: %v\n", in, err)
		os.Exit(1)
	}
}

func run(in, out string, gap uint32) error {
	module, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	packed, st, err := pack(module, gap)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, packed, 0o644); err != nil {
		return err
	}
	fmt.Printf("packdata: %s: %d data segments -> %d (gap < %d), %d -> %d bytes raw\n",
		out, st.before, st.after, gap, len(module), len(packed))
	return nil
}
