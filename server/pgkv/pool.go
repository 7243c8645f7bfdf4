//go:build !js

package pgkv

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/idbsync/idbsync/core/kv"
)

// pool is a bounded set of connections to one database.
//
// NB: pgxpool would do, but it needs github.com/jackc/puddle/v2, which
// go.mod does not list; this is the part of it a Store needs: at most max
// connections, idle ones reused newest first, broken ones dropped, and a
// close that waits for the calls in flight.
type pool struct {
	cfg   *pgx.ConnConfig
	slots chan struct{} // one token per connection in use
	done  chan struct{} // closed by close

	mu     sync.Mutex
	idle   []*pgx.Conn
	closed bool
}

func newPool(cfg *pgx.ConnConfig, max int) *pool {
	return &pool{cfg: cfg, slots: make(chan struct{}, max), done: make(chan struct{})}
}

// acquire returns a connection, new or idle (reused reports which), holding
// one slot until release. It fails with kv.ErrClosed once the pool closes,
// with ctx's error, or with the connect error.
func (p *pool) acquire(ctx context.Context) (c *pgx.Conn, reused bool, err error) {
	select {
	case p.slots <- struct{}{}:
	case <-p.done:
		return nil, false, kv.ErrClosed
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		<-p.slots
		return nil, false, kv.ErrClosed
	}
	if n := len(p.idle); n > 0 {
		c = p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return c, true, nil
	}
	p.mu.Unlock()
	c, err = pgx.ConnectConfig(ctx, p.cfg)
	if err != nil {
		<-p.slots
		return nil, false, err
	}
	return c, false, nil
}

// release gives c back: to the idle list when it is healthy and out of any
// transaction, closed otherwise.
func (p *pool) release(c *pgx.Conn) {
	defer func() { <-p.slots }()
	if c.IsClosed() || c.PgConn().TxStatus() != 'I' {
		closeConn(c)
		return
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		closeConn(c)
		return
	}
	p.idle = append(p.idle, c)
	p.mu.Unlock()
}

// discard closes c (broken, or left in an unknown state) and every idle
// connection: when one connection broke, the others most likely did too
// (the server restarted), and a call should not meet them one by one.
func (p *pool) discard(c *pgx.Conn) {
	defer func() { <-p.slots }()
	closeConn(c)
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, c := range idle {
		closeConn(c)
	}
}

// close waits for every connection in use to come back, then closes them
// all. Idempotent.
func (p *pool) close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	close(p.done)
	p.mu.Unlock()
	for range cap(p.slots) {
		p.slots <- struct{}{}
	}
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, c := range idle {
		closeConn(c)
	}
}

func closeConn(c *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = c.Close(ctx)
}
