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
