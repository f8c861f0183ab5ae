// Package lockmgr serializes work per key: at most one holder per key,
// waiters granted strictly first-come first-served, and nothing kept for
// a key once it has neither holder nor waiters.
//
// It is the core of a browser lock manager compiled to WebAssembly, where
// story editors wrap each read-modify-write save of a story in a lock on
// "story:<id>", but it has no browser dependency and works natively too.
//
// A request takes its place in a key's queue at the moment Acquire,
// AcquireFunc, TryAcquire, TryLease or TryLeaseAfter is called. Releasing
// hands the lock straight to the oldest waiter, so the key stays locked
// across the handoff and a newcomer can never barge in front of a waiter.
// Locks are not reentrant: acquiring a key that the caller already holds
// waits for the caller itself.
package lockmgr
