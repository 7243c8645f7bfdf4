package engine

import (
	"slices"
	"sort"
	"strings"
	"sync"
)

// keyWatchers are the Watch subscriptions of an engine. The zero value is
// ready to use; its lock is never held across I/O.
type keyWatchers struct {
	mu     sync.Mutex
	m      map[*keyWatcher]struct{}
	closed bool
}

// keyWatcher is one Watch: a one-slot mailbox holding the keys changed
// since its reader last took them, merged.
type keyWatcher struct {
	prefix string
	ch     chan []string
}

func (ws *keyWatchers) add(prefix string) (<-chan []string, func()) {
	w := &keyWatcher{prefix: prefix, ch: make(chan []string, 1)}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.closed {
		close(w.ch)
		return w.ch, func() {}
	}
	if ws.m == nil {
		ws.m = make(map[*keyWatcher]struct{})
	}
	ws.m[w] = struct{}{}
	var once sync.Once
	return w.ch, func() {
		once.Do(func() {
			ws.mu.Lock()
			defer ws.mu.Unlock()
			if _, ok := ws.m[w]; ok {
				delete(ws.m, w)
				close(w.ch)
			}
		})
	}
}

// notify offers keys to every watch whose prefix they start with.
func (ws *keyWatchers) notify(keys []string) {
	if len(keys) == 0 {
		return
	}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	for w := range ws.m {
		var mine []string
		for _, k := range keys {
			if strings.HasPrefix(k, w.prefix) {
				mine = append(mine, k)
			}
		}
		if len(mine) > 0 {
			w.offer(mine)
		}
	}
}

// offer merges keys into what the mailbox holds; the caller holds ws.mu,
// which every sender holds, so the slot cannot fill in between.
func (w *keyWatcher) offer(keys []string) {
	select {
	case old := <-w.ch:
		keys = append(keys, old...)
	default:
	}
	// sort.Slice, not slices.Sort: slices sorting one more element type adds a
	// pdqsort family (~16 KB) to dist/idbsync.wasm (bench/size/README.md, win 4).
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	w.ch <- slices.Compact(keys)
}

// close ends every watch.
func (ws *keyWatchers) close() {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	ws.closed = true
	for w := range ws.m {
		close(w.ch)
	}
	clear(ws.m)
}
