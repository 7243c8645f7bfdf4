//go:build js && wasm

package jsbridge

import (
	"context"
	"fmt"
	"sync"
	"syscall/js"
)

// Web Locks mark an engine instance as alive: a tab holds the lock named
// after its instance for its lifetime, and the browser frees it the moment
// the tab dies, so another tab knows at once, without waiting for the
// instance's heartbeat to expire.

// InstanceLockName is the Web Lock an engine instance holds.
func InstanceLockName(instance fmt.Stringer) string { return "idbsync-instance-" + instance.String() }

func locks() (js.Value, error) {
	nav := js.Global().Get("navigator")
	if nav.IsUndefined() || nav.Get("locks").IsUndefined() {
		return js.Value{}, ErrNoLocks
	}
	return nav.Get("locks"), nil
}

// HoldLock takes the exclusive Web Lock name and holds it until release is
// called or the page goes away. A lock another context holds is an error.
// release returns once the browser has freed the lock; it waits on the
// browser, so call it from a goroutine, never from a JavaScript callback.
func HoldLock(ctx context.Context, name string) (release func(), err error) {
	l, err := locks()
	if err != nil {
		return nil, err
	}
	type grant struct {
		free js.Value // resolves the promise the lock is held by
		err  error
	}
	granted := make(chan grant, 1)
	var onGrant, holder js.Func
	holder = js.FuncOf(func(_ js.Value, args []js.Value) any {
		granted <- grant{free: args[0]}
		return nil
	})
	onGrant = js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) == 0 || args[0].IsNull() {
			granted <- grant{err: fmt.Errorf("web lock %q is held elsewhere", name)}
			return nil
		}
		// The lock is held until the promise returned here settles.
		return js.Global().Get("Promise").New(holder)
	})
	// request's promise settles once the lock is released.
	requested := l.Call("request", name, map[string]any{"mode": "exclusive", "ifAvailable": true}, onGrant)
	select {
	case g := <-granted:
		onGrant.Release()
		if g.err != nil {
			holder.Release()
			return nil, g.err
		}
		var once sync.Once
		return func() {
			once.Do(func() {
				g.free.Invoke()
				_, _ = Await(context.Background(), requested)
				holder.Release()
			})
		}, nil
	case <-ctx.Done():
		// The grant may still come: free the lock then, or this instance
		// would look alive for the rest of the page's life.
		go func() {
			g := <-granted
			if g.err == nil {
				g.free.Invoke()
			}
			onGrant.Release()
			holder.Release()
		}()
		return nil, ctx.Err()
	}
}

// LockHeld tells whether some context of this origin holds the Web Lock
// name; known is false when it cannot tell (no Web Locks, a failed query).
// It fits engine.Options.Alive.
func LockHeld(ctx context.Context, name string) (held, known bool) {
	l, err := locks()
	if err != nil {
		return false, false
	}
	snap, err := Await(ctx, l.Call("query"))
	if err != nil {
		return false, false
	}
	list := snap.Get("held")
	for i := range list.Length() {
		if list.Index(i).Get("name").String() == name {
			return true, true
		}
	}
	return false, true
}
