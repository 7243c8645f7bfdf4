package paged

//go:generate go tool msgp -unexported -io=false -tests=false -o record_gen.go

// The byte fields are decoded zero-copy (the zerocopy tag part changes the
// decoder only, not the format): a decoded record aliases the bytes it was
// read from, one buffer a page or a row instead of two allocations an
// entry. Such a slice's capacity runs on into the bytes after it, so it is
// never appended to, and never handed out without a copy or a cap.

// headRecord is the row every write compares and sets.
type headRecord struct {
	Seq    uint64 `msg:"s"` // the last write-ahead row written
	Gen    uint64 `msg:"g"` // bumped by every change of the manifest
	Merged uint64 `msg:"m"` // write-ahead rows up to this one are in the pages
	Next   uint64 `msg:"n"` // the next page or value id
}

// manifestRecord is the index of the pages: per table, its pages in key order.
type manifestRecord struct {
	Tables []tableRecord `msg:"t"`
}

type tableRecord struct {
	Name  string    `msg:"n"`
	Pages []pageRef `msg:"p"`
}

// pageRef locates one page: the keys from First (the lowest key of the page;
// the first page also takes every key below) up to the next page's First.
type pageRef struct {
	First []byte `msg:"f,zerocopy"`
	ID    uint64 `msg:"i"`
	Count uint32 `msg:"c"` // entries
	Size  uint32 `msg:"z"` // bytes of keys and inline values
}

// walRecord is one committed batch: the state it left each key it wrote in,
// and the out-of-line values that nothing references once it applies.
type walRecord struct {
	Ops  []walOp  `msg:"o"`
	Dead []uint64 `msg:"d,omitempty"`
}

type walOp struct {
	Table string `msg:"t"`
	Key   []byte `msg:"k,zerocopy"`
	Value []byte `msg:"v,omitempty,zerocopy"`
	Ref   uint64 `msg:"r,omitempty"` // the value is the row of this id
	Del   bool   `msg:"x,omitempty"`
}

// pageRecord is one page: entries in ascending key order. The store decodes
// and encodes it by hand (decodePage, encodePage), into and from a page:
// TestEncoding holds them to this record.
type pageRecord struct {
	Entries []pageEntry `msg:"e"`
}

type pageEntry struct {
	Key   []byte `msg:"k,zerocopy"`
	Value []byte `msg:"v,omitempty,zerocopy"`
	Ref   uint64 `msg:"r,omitempty"`
}
