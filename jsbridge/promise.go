//go:build js && wasm

package jsbridge

import (
	"fmt"
	"syscall/js"

	"github.com/idbsync/idbsync/core/errcode"
)

// Promise runs fn in a goroutine and returns a Promise that settles with its
// result: fulfilled with the value (converted by js.ValueOf), or rejected
// with Error(err). A panic in fn rejects the Promise instead of killing the
// module.
func Promise(fn func() (any, error)) js.Value {
	var executor js.Func
	executor = js.FuncOf(func(_ js.Value, args []js.Value) any {
		resolve, reject := args[0], args[1]
		go func() {
			defer executor.Release()
			v, err := call(fn)
			if err != nil {
				reject.Invoke(Error(err))
				return
			}
			resolve.Invoke(v)
		}()
		return nil
	})
	return js.Global().Get("Promise").New(executor)
}

func call(fn func() (any, error)) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", errcode.ErrInternal, r)
		}
	}()
	return fn()
}
