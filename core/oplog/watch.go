package oplog

import "sync"

// watcher is one WatchCursors subscription: a one-slot mailbox that always
// holds the newest cursors not yet taken.
type watcher struct {
	ch chan PeerCursors
}

func (w *watcher) offer(c PeerCursors) {
	select {
	case <-w.ch: // drop the older snapshot: the newer one dominates it
	default:
	}
	w.ch <- c
}

func (w *watcher) stop() { close(w.ch) }

// WatchCursors returns a channel that first delivers the current cursors,
// then the cursors after each advance. A slow reader misses intermediate
// snapshots, never the latest: each dominates the ones before it. stop ends
// the watch and closes the channel; Close ends every watch.
func (p *Processor) WatchCursors() (updates <-chan PeerCursors, stop func()) {
	w := &watcher{ch: make(chan PeerCursors, 1)}
	p.mu.Lock() // no batch lands between the snapshot and the registration
	defer p.mu.Unlock()
	p.wmu.Lock()
	defer p.wmu.Unlock()
	if p.closed {
		w.stop()
		return w.ch, func() {}
	}
	p.watchers[w] = struct{}{}
	w.offer(p.cursors.Clone())
	var once sync.Once
	return w.ch, func() {
		once.Do(func() {
			p.wmu.Lock()
			defer p.wmu.Unlock()
			if _, ok := p.watchers[w]; ok {
				delete(p.watchers, w)
				w.stop()
			}
		})
	}
}

// notify offers the cursors to every watch; the caller holds p.mu.
func (p *Processor) notify() {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	if len(p.watchers) == 0 {
		return
	}
	snap := p.cursors.Clone()
	for w := range p.watchers {
		w.offer(snap.Clone())
	}
}
