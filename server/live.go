//go:build !js

package server

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"time"

	"github.com/coder/websocket"

	"github.com/idbsync/idbsync/core/oplog"
)

// live is the space's live channel: a WebSocket on which the server sends
// the space's cursors ({peer: next index}, as cursors answers) at once and
// whenever they advance, by a push to this process or (read from the store
// every Config.LivePoll) to another one. The client only listens: it syncs
// when the cursors show what it lacks. A browser cannot set headers on a
// WebSocket, so the token may come as the query parameter "token".
func (s *Server) live(w http.ResponseWriter, r *http.Request, _ Principal, sp *space) error {
	opts := &websocket.AcceptOptions{}
	if s.cfg.AllowOrigin == "*" {
		opts.InsecureSkipVerify = true
	} else if s.cfg.AllowOrigin != "" {
		opts.OriginPatterns = []string{s.cfg.AllowOrigin}
	}
	conn, err := websocket.Accept(w, r, opts)
	if err != nil {
		return nil // Accept answered the client
	}
	defer conn.CloseNow()
	ctx := conn.CloseRead(r.Context()) // ends when the client goes
	updates, stop := sp.engine.WatchCursors()
	defer stop()
	tick := time.NewTicker(s.cfg.LivePoll)
	defer tick.Stop()
	var last oplog.PeerCursors
	send := func(c oplog.PeerCursors) error {
		if reflect.DeepEqual(c, last) {
			return nil
		}
		last = c
		b, err := json.Marshal(cursorsJSON(c))
		if err != nil {
			return err
		}
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return conn.Write(wctx, websocket.MessageText, b)
	}
	if c, err := sp.engine.Cursors(ctx); err == nil {
		if err := send(c); err != nil {
			return nil
		}
	}
	for {
		var c oplog.PeerCursors
		select {
		case <-ctx.Done():
			conn.Close(websocket.StatusNormalClosure, "")
			return nil
		case u, ok := <-updates:
			if !ok {
				conn.Close(websocket.StatusGoingAway, "the space closed")
				return nil
			}
			c = u
		case <-tick.C:
			got, err := sp.engine.Cursors(ctx)
			if err != nil {
				continue
			}
			c = got
		}
		if err := send(c); err != nil {
			return nil
		}
	}
}
