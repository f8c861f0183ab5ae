//go:build js && wasm

package main

import "syscall/js"

// options are the parsed {signal?, timeout?} of acquire and withLock.
type options struct {
	signal     js.Value // an AbortSignal, or the zero Value
	timeout    float64  // milliseconds; valid when hasTimeout
	hasTimeout bool
}

// arg returns args[i], or undefined when absent.
func arg(args []js.Value, i int) js.Value {
	if i < len(args) {
		return args[i]
	}
	return js.Undefined()
}

// keyArg checks that args[0] is a string, without coercing anything: an
// object's toString must never run.
func keyArg(args []js.Value) (string, js.Value) {
	v := arg(args, 0)
	if v.Type() != js.TypeString {
		return "", typeError("key must be a string, got " + typeName(v))
	}
	return v.String(), js.Value{}
}

// optionsArg parses args[i] as {signal?, timeout?}; bad input is a
// TypeError, a negative, NaN or infinite timeout a RangeError.
func optionsArg(args []js.Value, i int) (options, js.Value) {
	var o options
	v := arg(args, i)
	if v.IsUndefined() {
		return o, js.Value{}
	}
	if v.Type() != js.TypeObject || v.IsNull() {
		return o, typeError("options must be an object, got " + typeName(v))
	}
	if s := v.Get("signal"); !s.IsUndefined() {
		if s.Type() != js.TypeObject || s.IsNull() || !s.InstanceOf(abortSignalCtor) {
			return o, typeError("options.signal must be an AbortSignal, got " + typeName(s))
		}
		o.signal = s
	}
	if t := v.Get("timeout"); !t.IsUndefined() {
		if t.Type() != js.TypeNumber {
			return o, typeError("options.timeout must be a number, got " + typeName(t))
		}
		ms := t.Float()
		if !(ms >= 0 && ms-ms == 0) { // NaN, infinite or negative
			return o, rangeError("options.timeout must be a finite number >= 0, got " + numberString(t))
		}
		o.timeout, o.hasTimeout = ms, true
	}
	return o, js.Value{}
}

func typeName(v js.Value) string {
	if v.IsNull() {
		return "null"
	}
	return v.Type().String()
}
