package changelog

//go:generate go tool msgp -unexported -io=false -tests=false -o record_gen.go

// changeRecord is the stored form of a Change (msgp map: fields a reader
// does not know are skipped, absent ones are zero).
type changeRecord struct {
	Object       string `msg:"o"`
	New          []byte `msg:"n,omitempty"`
	Old          []byte `msg:"d,omitempty"`
	CleanupAfter int64  `msg:"c,omitempty"` // Unix ms; 0: at once
}

// instanceRecord is the row of one instance (an open engine).
type instanceRecord struct {
	Epoch     uint64 `msg:"e"`
	Heartbeat int64  `msg:"h"`           // Unix ms of the last heartbeat
	ClaimedBy []byte `msg:"c,omitempty"` // the instance that took it over
}

// refRecord is a row of the reference tier: an object's value inline, or
// the revision of the blob that holds it (exactly one of the two).
type refRecord struct {
	Inline []byte `msg:"i,omitempty"`
	Rev    []byte `msg:"r,omitempty"`
}

// blobManifest closes a blob written in chunks: without it the blob is
// incomplete and reads as absent.
type blobManifest struct {
	Size   int64  `msg:"z"`
	Chunks uint32 `msg:"n"`
}
