module github.com/idbsync/idbsync

go 1.26.8

require (
	github.com/hack-pad/go-indexeddb v0.3.2
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/hack-pad/safejs v0.1.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
