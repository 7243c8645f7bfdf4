package main

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLEB128(t *testing.T) {
	for _, v := range []uint32{0, 1, 63, 64, 127, 128, 16383, 16384, 1<<28 - 1, 1 << 28, math.MaxUint32} {
		b := appendU32(nil, v)
		r := reader{b: b}
		assert.Equal(t, v, r.u32(), "u32 %d", v)
		assert.NoError(t, r.err)
		assert.Equal(t, len(b), r.pos, "u32 %d: every byte read", v)
	}
	for _, v := range []int32{0, 1, -1, 63, 64, -64, -65, 8191, 8192, -8192, -8193, math.MaxInt32, math.MinInt32} {
		b := appendS32(nil, v)
		r := reader{b: b}
		assert.Equal(t, v, r.s32(), "s32 %d", v)
		assert.NoError(t, r.err)
		assert.Equal(t, len(b), r.pos, "s32 %d: every byte read", v)
	}
	// The encodings the spec gives as examples.
	assert.Equal(t, []byte{0xe5, 0x8e, 0x26}, appendU32(nil, 624485))
	assert.Equal(t, []byte{0xc0, 0xbb, 0x78}, appendS32(nil, -123456))
}

func TestMerge(t *testing.T) {
	seg := func(offset uint32, data string) segment { return segment{offset, []byte(data)} }
	tests := []struct {
		name string
		in   []segment
		gap  uint32
		want []segment
		err  string
	}{
		{name: "none", in: nil, gap: 64, want: nil},
		{name: "one", in: []segment{seg(8, "ab")}, gap: 64, want: []segment{seg(8, "ab")}},
		{
			name: "adjacent",
			in:   []segment{seg(0, "ab"), seg(2, "cd")},
			gap:  1,
			want: []segment{seg(0, "abcd")},
		},
		{
			name: "gap below the limit is filled with zeros",
			in:   []segment{seg(0, "ab"), seg(5, "cd"), seg(100, "e")},
			gap:  4,
			want: []segment{seg(0, "ab\x00\x00\x00cd"), seg(100, "e")},
		},
		{
			name: "gap of exactly the limit stays",
			in:   []segment{seg(0, "ab"), seg(6, "cd")},
			gap:  4,
			want: []segment{seg(0, "ab"), seg(6, "cd")},
		},
		{
			name: "out of order",
			in:   []segment{seg(20, "z"), seg(0, "a"), seg(10, "m")},
			gap:  16,
			want: []segment{seg(0, "a"+strings.Repeat("\x00", 9)+"m"+strings.Repeat("\x00", 9)+"z")},
		},
		{
			name: "empty segment",
			in:   []segment{seg(0, "a"), seg(3, ""), seg(4, "b")},
			gap:  8,
			want: []segment{seg(0, "a\x00\x00\x00b")},
		},
		{
			name: "addresses past 2 GiB",
			in:   []segment{seg(math.MaxInt32, "a"), seg(math.MaxInt32+2, "b")},
			gap:  8,
			want: []segment{seg(math.MaxInt32, "a\x00b")},
		},
		{name: "overlap", in: []segment{seg(0, "abc"), seg(2, "x")}, gap: 64, err: "overlap at offset 2"},
		{name: "same offset", in: []segment{seg(4, "a"), seg(4, "b")}, gap: 0, err: "overlap at offset 4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var in []segment // a deep copy, to see merge leaves it alone
			for _, s := range tc.in {
				in = append(in, segment{s.offset, bytes.Clone(s.data)})
			}
			got, err := merge(in, tc.gap)
			if tc.err != "" {
				assert.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.in, in, "the input segments are left as they were")
		})
	}
}

// module assembles a module from its sections, each an id and a body.
func module(sections ...[]byte) []byte {
	b := []byte("\x00asm\x01\x00\x00\x00")
	for _, s := range sections {
		b = appendSection(b, s[0], s[1:])
	}
	return b
}

func section(id byte, body []byte) []byte { return append([]byte{id}, body...) }

func TestPack(t *testing.T) {
	typ := section(1, []byte{1, 0x60, 0, 0})               // one type: func() -> ()
	mem := section(5, []byte{1, 0, 1})                     // one memory, min 1 page
	custom := section(0, []byte("\x04nameXYZ"))            // a custom section, copied as it is
	data := section(sectionData, encodeSegments([]segment{ // two segments close together, one far
		{0, []byte{1, 2}}, {10, []byte{3}}, {1000, []byte{4, 5}},
	}))

	t.Run("segments merged, data count updated, the rest copied", func(t *testing.T) {
		in := module(typ, mem, section(sectionDataCount, []byte{3}), data, custom)
		out, st, err := pack(in, 64)
		require.NoError(t, err)
		assert.Equal(t, stats{before: 3, after: 2}, st)
		want := module(typ, mem, section(sectionDataCount, []byte{2}),
			section(sectionData, encodeSegments([]segment{{0, []byte{1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 3}}, {1000, []byte{4, 5}}})),
			custom)
		assert.Equal(t, want, out)
		assert.Equal(t, memoryImage(t, in), memoryImage(t, out))
	})
	t.Run("no data count section", func(t *testing.T) {
		out, st, err := pack(module(typ, mem, data), 1<<20)
		require.NoError(t, err)
		assert.Equal(t, stats{before: 3, after: 1}, st)
		assert.Equal(t, module(typ, mem, section(sectionData, encodeSegments([]segment{
			{0, append(append([]byte{1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 3}, make([]byte, 1000-11)...), 4, 5)},
		}))), out)
	})
	t.Run("no data section", func(t *testing.T) {
		in := module(typ, mem)
		out, st, err := pack(in, 64)
		require.NoError(t, err)
		assert.Equal(t, stats{}, st)
		assert.Equal(t, in, out)
	})

	refused := []struct {
		name   string
		module []byte
		err    string
	}{
		{name: "not wasm", module: []byte("\x7fELF\x02\x01\x01\x00"), err: "not a WebAssembly module"},
		{name: "version 2", module: []byte("\x00asm\x02\x00\x00\x00"), err: "version 2"},
		{name: "truncated section", module: []byte("\x00asm\x01\x00\x00\x00\x01\x05\x01"), err: "unexpected end"},
		{name: "passive segment", module: module(section(sectionData, []byte{1, 1, 1, 'a'})), err: "passive"},
		{name: "explicit memory", module: module(section(sectionData, []byte{1, 2, 0, opI32Const, 0, opEnd, 1, 'a'})), err: "flags 2"},
		{name: "offset from a global", module: module(section(sectionData, []byte{1, 0, 0x23, 0, opEnd, 1, 'a'})), err: "not an i32.const"},
		{name: "longer offset expression", module: module(section(sectionData, []byte{1, 0, opI32Const, 0, opI32Const, 0, opEnd, 1, 'a'})), err: "longer than one"},
		{name: "segment past the end", module: module(section(sectionData, []byte{1, 0, opI32Const, 0, opEnd, 5, 'a'})), err: "unexpected end"},
		{name: "bytes after the segments", module: module(section(sectionData, []byte{1, 0, opI32Const, 0, opEnd, 1, 'a', 'b'})), err: "1 bytes after"},
		{name: "too many segments", module: module(section(sectionData, []byte{0x7f})), err: "127 segments"},
		{name: "overlap", module: module(section(sectionData, encodeSegments([]segment{{0, []byte("ab")}, {1, []byte("c")}}))), err: "overlap"},
	}
	for _, tc := range refused {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			_, _, err := pack(tc.module, 64)
			assert.ErrorContains(t, err, tc.err)
		})
	}
}

// memoryImage is memory as a module's data segments initialize it, up to
// the end of the last one.
func memoryImage(t *testing.T, module []byte) []byte {
	t.Helper()
	var img []byte
	for _, s := range sections(t, module) {
		if s[0] != sectionData {
			continue
		}
		segs, err := readSegments(s[1:])
		require.NoError(t, err)
		for _, g := range segs {
			if end := int(g.offset) + len(g.data); end > len(img) {
				img = append(img, make([]byte, end-len(img))...)
			}
			copy(img[g.offset:], g.data)
		}
	}
	return img
}

// sections splits a module into its sections, each its id then its body.
func sections(t *testing.T, module []byte) [][]byte {
	t.Helper()
	var out [][]byte
	r := reader{b: module, pos: 8}
	for r.pos < len(module) {
		id := r.byte()
		body := r.bytes(int(r.u32()))
		require.NoError(t, r.err)
		out = append(out, section(id, body))
	}
	return out
}

// TestPackGoModule packs a real Go module (testdata/hello) the way make
// build does, after wasm-opt when there is one, and checks the result
// holds the same memory and the same everything else, that wasm-opt
// validates it and that Node runs it through wasm_exec.js with the same
// output.
func TestPackGoModule(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	dir := t.TempDir()
	built := filepath.Join(dir, "hello.wasm")
	cmd := exec.Command(goTool, "build", "-trimpath", "-ldflags=-s -w", "-o", built, "./testdata/hello")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	goroot, err := exec.Command(goTool, "env", "GOROOT").Output()
	require.NoError(t, err)
	wasmExec := filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec_node.js")
	wasmOpt, _ := exec.LookPath("wasm-opt")
	// The features make build enables; validation needs them too.
	features := []string{"--enable-bulk-memory", "--enable-sign-ext", "--enable-nontrapping-float-to-int"}

	inputs := []struct{ name, file string }{{"go build", built}}
	if wasmOpt != "" && !testing.Short() {
		// About 10 s on the 2-core VM: the same -Oz make build runs.
		optimized := filepath.Join(dir, "hello.opt.wasm")
		out, err := exec.Command(wasmOpt, append([]string{"-Oz", built, "-o", optimized}, features...)...).CombinedOutput()
		require.NoError(t, err, "%s", out)
		inputs = append(inputs, struct{ name, file string }{"go build, wasm-opt -Oz", optimized})
	}
	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			src, err := os.ReadFile(in.file)
			require.NoError(t, err)
			packed, st, err := pack(src, 64)
			require.NoError(t, err)
			t.Logf("%d data segments -> %d, %d -> %d bytes raw", st.before, st.after, len(src), len(packed))
			assert.Greater(t, st.before, 1000, "the linker cut the data into many segments")
			assert.Less(t, st.after, 50, "they are merged into few")

			assert.Equal(t, memoryImage(t, src), memoryImage(t, packed), "memory as initialized")
			others := func(module []byte) (out [][]byte) {
				for _, s := range sections(t, module) {
					if s[0] != sectionData && s[0] != sectionDataCount {
						out = append(out, s)
					}
				}
				return out
			}
			assert.Equal(t, others(src), others(packed), "every other section")

			file := filepath.Join(dir, "packed.wasm")
			require.NoError(t, os.WriteFile(file, packed, 0o644))
			if wasmOpt == "" {
				t.Log("no wasm-opt on PATH: not validating")
			} else {
				// With no passes and no output wasm-opt only reads the
				// module, which validates it.
				out, err := exec.Command(wasmOpt, append([]string{file}, features...)...).CombinedOutput()
				assert.NoError(t, err, "wasm-opt: %s", out)
			}
			node, err := exec.LookPath("node")
			if err != nil {
				t.Skip("no node on PATH: not running the module")
			}
			run := func(file string) string {
				out, err := exec.Command(node, wasmExec, file).CombinedOutput()
				require.NoError(t, err, "node %s: %s", file, out)
				return string(out)
			}
			want := run(in.file)
			assert.Contains(t, want, "hello: table 4a8a680ad2e69c5d, words 2, at main.main:")
			assert.Equal(t, want, run(file))
		})
	}
}
