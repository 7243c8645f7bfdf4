package engine

//go:generate go tool msgp -unexported -io=false -tests=false -o record_gen.go

// blobRefRecord is the value of an attachment key in the op log's state:
// the SHA-256 of the attachment's bytes and their length (msgp map: fields
// a reader does not know are skipped).
type blobRefRecord struct {
	Hash []byte `msg:"h"`
	Size int64  `msg:"s"`
}
