# idbsync: `make demo` serves the demo, `make test` runs every suite; both
# install what is missing first (.ci/setup).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
GOBIN := $(shell go env GOPATH)/bin
export PATH := $(GOBIN):$(PATH)

WASM_OPT_FLAGS := -Oz --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int
# Packages whose tests run in headless Chromium on real IndexedDB. Each one
# starts its own browser, so keep them few.
BROWSER_PKGS := ./idb/ ./jsbridge/
PORT ?= 8080
SERVER_PORT ?= 8787
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)


.PHONY: all setup build package lint test test-native test-browser test-e2e demo bench bench-go bench-server clean server

all: build

setup:
	@bash .ci/setup

# The module: go build, wasm-opt, then packdata merges the tens of thousands
# of data segments the linker cuts (about 90 KB less gzipped, more raw; see
# bench/size/README.md). It runs last, as wasm-opt's memory packing would
# split them again. fmt is compiled without inlining (-gcflags=fmt=-l): it
# only writes error messages here, and Go 1.26 inlines fmt.Errorf (with the
# errors.New of its no-argument path) into each of its ~180 call sites and
# much of fmt into itself; 20 KB less gzipped.
build: setup
	@mkdir -p dist
	GOOS=js GOARCH=wasm go build -trimpath -gcflags=fmt=-l -ldflags="-s -w -X main.version=$(VERSION)" -o dist/idbsync.raw.wasm ./wasm
	wasm-opt $(WASM_OPT_FLAGS) dist/idbsync.raw.wasm -o dist/idbsync.wasm
	@rm dist/idbsync.raw.wasm
	go run ./wasm/packdata dist/idbsync.wasm dist/idbsync.wasm
	@cp "$$(go env GOROOT)/lib/wasm/wasm_exec.js" dist/
	@printf "// Written by make build: the version of idbsync.wasm beside it.\nexport const version = '%s';\n" '$(VERSION)' > dist/version.js
	@printf 'dist/idbsync.wasm: %s bytes raw, %s bytes gzip -9\n' \
		"$$(wc -c < dist/idbsync.wasm)" "$$(gzip -9c dist/idbsync.wasm | wc -c)"

# The npm package: dist/package/ (web/'s entry point, worker and types, the
# built module) and its tarball, dist/idbsync-<version>.tgz.
PACKAGE_FILES := web/idbsync.js web/idbsync-core.js web/idbsync-worker.js web/idbsync.d.ts web/package.json
package: build
	@rm -rf dist/package dist/idbsync-*.tgz && mkdir -p dist/package
	cp $(PACKAGE_FILES) dist/idbsync.wasm dist/wasm_exec.js dist/version.js dist/package/
	cd dist && npm pack --silent ./package

lint: setup
	@unformatted="$$(gofmt -l $$(git ls-files '*.go'))"; \
		if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	go vet ./...
	GOOS=js GOARCH=wasm go vet ./...
	npx tsc --noEmit --strict --lib es2022,dom web/idbsync.d.ts

test-native: setup
	go test -count=1 ./...

test-browser: setup
	GOOS=js GOARCH=wasm go test -count=1 -timeout 5m $(BROWSER_PKGS)

# The browser suites (tests/inpage/ and tests/dedicated/ run some again with
# the engine in the page and in a tab's own worker); tests/syncserver.test.mjs
# runs the real sync server, dist/idbsync-server, and tests/package.test.mjs
# the npm package, both built here first.
test-e2e: package
	go build -o dist/idbsync-server ./server/cmd/idbsync-server
	npm test

test: lint test-native test-browser test-e2e
	@echo "make test: every suite passed"

# The notes app and the sync server it syncs through (web/demo/run.mjs).
demo: build
	go build -o dist/idbsync-server ./server/cmd/idbsync-server
	SERVER_PORT=$(SERVER_PORT) node web/demo/run.mjs $(PORT)

# idbsync beside raw IndexedDB and Dexie in headless Chromium: prints one
# table, writes bench/results/ (see bench/README.md).
bench: build
	node bench/run.mjs
	$(MAKE) bench-server

# The sync server over loopback HTTP, on bbolt and on PostgreSQL: ingest and
# pull entries/s, one-entry push latency with 50 clients.
bench-server: setup
	go test -run='^$$' -bench=BenchmarkServer -benchtime=3s ./server/

# The Go benchmarks, natively (memkv) and in Chromium on IndexedDB.
bench-go: setup
	go test -run='^$$' -bench=. -benchmem ./core/...
	GOOS=js GOARCH=wasm go test -run='^$$' -bench=. -timeout 10m $(BROWSER_PKGS)

clean:
	rm -rf dist tests/output

# The sync server on its embedded defaults (bbolt and a folder, in
# idbsync-data/): prints its URL and a development token.
server: setup
	@mkdir -p dist
	go build -o dist/idbsync-server ./server/cmd/idbsync-server
	dist/idbsync-server -listen 127.0.0.1:$(SERVER_PORT) -allow-origin '*'
