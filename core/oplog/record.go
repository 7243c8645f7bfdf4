package oplog

//go:generate go tool msgp -unexported -io=false -tests=false -o record_gen.go

// The persisted and transported forms of entries. They are msgp maps keyed
// by short field names: a reader skips fields it does not know and leaves
// absent ones zero, so records of older and newer builds still decode.

// entryRecord is the value of an oplog row; the row's key holds the peer
// and the index.
type entryRecord struct {
	TS    uint64 `msg:"t"`
	User  []byte `msg:"u,omitempty"`
	Tag   uint8  `msg:"g"`
	Key   string `msg:"k,omitempty"`
	Value []byte `msg:"v,omitempty"`
	Salt  []byte `msg:"s,omitempty"` // absent in entries of older builds
}

// pendingExpungeRecord is the value of a row of <prefix>/expunges: an
// expunge this replica ingested before the entry it names (keyed by its
// peer and index), so that entry is stored as a marker when it comes.
type pendingExpungeRecord struct {
	Hash []byte `msg:"h"`
}

// headRecord is the value of a heads row: what is known of one peer's log.
type headRecord struct {
	Next   uint64 `msg:"n"` // the next index expected
	LastTS uint64 `msg:"t"` // the timestamp of the entry at Next-1; zero for a marker
}

// wireEntry is an entry in a wire batch.
type wireEntry struct {
	Peer  []byte `msg:"p"`
	Idx   uint64 `msg:"i"`
	TS    uint64 `msg:"t"`
	User  []byte `msg:"u,omitempty"`
	Tag   uint8  `msg:"g"`
	Key   string `msg:"k,omitempty"`
	Value []byte `msg:"v,omitempty"`
	Salt  []byte `msg:"s,omitempty"`
}

// wireEntries is the payload of a wire batch.
type wireEntries []wireEntry

// wireBatch is the envelope of a wire batch: the encoded entries and their
// SHA-256, checked before anything is decoded.
type wireBatch struct {
	Format  uint8  `msg:"f"`
	Entries []byte `msg:"e"`
	Sum     []byte `msg:"s"`
}

// stateRecord is the value of an LWW state row: the winning op so far. A
// delete stays as a tombstone so an older write arriving later still loses.
type stateRecord struct {
	TS      uint64 `msg:"t"`
	Deleted bool   `msg:"d,omitempty"`
	Value   []byte `msg:"v,omitempty"`
}
