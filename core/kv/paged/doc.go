// Package paged is a kv.Store that keeps every table as sorted, size-bounded
// pages plus a write-ahead log, over any medium that offers a few atomic
// operations (a Backend): IndexedDB in the browser (idb.OpenPaged), memory
// in tests (Memory).
//
// One row per key and per entry is what an IndexedDB store pays per write;
// here a commit of any number of small writes is one write-ahead row and the
// new head: three requests in one transaction. Writes gather in memory (the
// memtable, rebuilt from the write-ahead rows at open) and are merged into
// the pages once they pass a size, in the background: the memtables are
// frozen (still read, under fresh ones that take the commits that follow)
// and a goroutine builds the new pages from them without holding the
// store's lock; one transaction then writes the new pages, the new
// manifest (the index of pages, read at open) and drops the merged rows. A
// commit waits for that merge, or merges itself, only when the rows
// outside the pages pass twice that size (Options.MergeBytes, MergeRows).
// A Get is one request when its page is cached (the head, checked so that
// commits of other handles are seen), two when not; a cold start reads the
// head, the manifest and the rows not merged yet, never the data.
//
// Values above Options.InlineMax (blob chunks) are kept out of line, one row
// each, written in the commit's transaction, so that neither the log nor the
// pages carry them twice.
//
// Several handles (tabs, workers) may share one medium: every write is a
// compare-and-set on the head, and a handle that finds the head moved reads
// what changed before it goes on, so the kv contract (atomic batches,
// Expect and Insert against concurrent commits, reads that see every
// returned commit) holds across them as within one.
package paged
