//go:build js && wasm

package idb

// SetGetAllRecords turns the getAllRecords path of reverse scans on or off.
func SetGetAllRecords(on bool) { useGetAllRecords = on }
