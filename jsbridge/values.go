//go:build js && wasm

package jsbridge

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"syscall/js"

	"github.com/google/uuid"
	"github.com/idbsync/idbsync/core/errcode"
)

// maxSafe is Number.MAX_SAFE_INTEGER: larger indexes cross as decimal
// strings, which web/idbsync.js turns into BigInts.
const maxSafe = 1<<53 - 1

// index converts a uint64 for JavaScript: a Number when it is a safe
// integer, its decimal string otherwise.
func index(n uint64) any {
	if n <= maxSafe {
		return float64(n)
	}
	return strconv.FormatUint(n, 10)
}

// args checks a call's arguments one by one; the first error sticks, so a
// call reads all its arguments and checks err once.
type args struct {
	call string
	v    []js.Value
	err  error
}

func (a *args) fail(i int, format string, v ...any) {
	if a.err == nil {
		a.err = fmt.Errorf("%w: %s: argument %d %s", errcode.ErrInvalidArgument, a.call, i+1, fmt.Sprintf(format, v...))
	}
}

func (a *args) at(i int) js.Value {
	if i < len(a.v) {
		return a.v[i]
	}
	return js.Undefined()
}

// kind is typeof v, and "null" for null: "undefined", "object", "boolean",
// "number", "bigint", "string", "symbol" or "function". js.Value.Type
// panics on a BigInt (the one type wasm_exec.js gives no flag), so that
// panic is the answer "bigint". No JavaScript is compiled for it: the module
// runs under a Content-Security-Policy without 'unsafe-eval'.
func kind(v js.Value) (k string) {
	defer func() {
		if recover() != nil {
			k = "bigint"
		}
	}()
	return v.Type().String()
}

// typeOf names a value's JavaScript type for messages.
func typeOf(v js.Value) string {
	if v.IsNull() {
		return "null"
	}
	return js.Global().Get("Object").Get("prototype").Get("toString").Call("call", v).String()
}

func (a *args) string(i int, what string) string {
	v := a.at(i)
	if kind(v) != "string" {
		a.fail(i, "(%s) must be a string, not %s", what, typeOf(v))
		return ""
	}
	return v.String()
}

func (a *args) bytes(i int, what string) []byte {
	v := a.at(i)
	if kind(v) != "object" || !v.InstanceOf(js.Global().Get("Uint8Array")) {
		a.fail(i, "(%s) must be a Uint8Array, not %s", what, typeOf(v))
		return nil
	}
	b := make([]byte, v.Get("length").Int())
	js.CopyBytesToGo(b, v)
	return b
}

func (a *args) peer(i int) uuid.UUID {
	s := a.string(i, "peer")
	if a.err != nil {
		return uuid.Nil
	}
	id, err := uuid.Parse(s)
	if err != nil || len(s) != 36 || id == uuid.Nil {
		a.fail(i, "(peer) must be a uuid like 0190a6e4-8b1c-7d3e-9f00-1234567890ab, not %q", s)
	}
	return id
}

// uint reads a non-negative integer: a safe-integer Number, or a BigInt
// (for indexes past 2^53) that fits in 64 bits.
func (a *args) uint(i int, what string) uint64 {
	v := a.at(i)
	switch kind(v) {
	case "number":
		f := v.Float()
		if f < 0 || f != math.Trunc(f) || f > maxSafe || math.IsNaN(f) {
			a.fail(i, "(%s) must be a non-negative safe integer, not %v", what, f)
			return 0
		}
		return uint64(f)
	case "bigint":
		s := js.Global().Get("String").Invoke(v).String()
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			a.fail(i, "(%s) must be a BigInt between 0 and 2^64-1, not %sn", what, s)
		}
		return n
	}
	a.fail(i, "(%s) must be a number or a BigInt, not %s", what, typeOf(v))
	return 0
}

// limit reads a positive count, or 0 when the argument is undefined.
func (a *args) limit(i int, what string) int {
	v := a.at(i)
	if v.IsUndefined() {
		return 0
	}
	if kind(v) != "number" {
		a.fail(i, "(%s) must be a number, not %s", what, typeOf(v))
		return 0
	}
	n := a.uint(i, what)
	if a.err == nil && (n == 0 || n > math.MaxInt32) {
		a.fail(i, "(%s) must be between 1 and %d, not %d", what, math.MaxInt32, n)
	}
	return int(n)
}

// toJS copies b into a new Uint8Array.
func toJS(b []byte) js.Value {
	u := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(u, b)
	return u
}

// ThrownError is a rejection or exception from JavaScript (a transport's call),
// with the code it carried, so a remote CLOCK_SKEW stays a CLOCK_SKEW.
type ThrownError struct {
	Code    string
	Message string
}

func (e *ThrownError) Error() string { return e.Message }

// Is makes errors.Is(err, errcode.ErrInvalidArgument) and the like hold for a
// ThrownError carrying the matching code.
func (e *ThrownError) Is(target error) bool { return errcode.Matches(e.Code, target) }

// jsError converts a thrown or rejected JavaScript value.
func jsError(v js.Value) error {
	e := &ThrownError{Message: js.Global().Get("String").Invoke(v).String()}
	if kind(v) == "object" {
		if m := v.Get("message"); kind(m) == "string" {
			e.Message = m.String()
		}
		if c := v.Get("code"); kind(c) == "string" {
			e.Code = c.String()
		}
	}
	return e
}

// Await waits, in a goroutine (never in a JavaScript callback), for v: the
// value of a settled Promise, or v itself when it is not a thenable.
func Await(ctx context.Context, v js.Value) (js.Value, error) {
	if kind(v) != "object" || kind(v.Get("then")) != "function" {
		return v, nil
	}
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	ok := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- result{v: args[0]}
		return nil
	})
	fail := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- result{err: jsError(args[0])}
		return nil
	})
	release := func() { ok.Release(); fail.Release() }
	v.Call("then", ok, fail)
	select {
	case r := <-ch:
		release()
		return r.v, r.err
	case <-ctx.Done():
		go func() { <-ch; release() }()
		return js.Value{}, ctx.Err()
	}
}
