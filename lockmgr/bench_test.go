package lockmgr

import (
	"context"
	"strconv"
	"sync"
	"testing"
)

// refLocker is the baseline: the github.com/moby/locker pattern, a
// mutex-guarded map of reference-counted *sync.Mutex entries, deleted when
// idle and recycled through a sync.Pool. It is not FIFO (sync.Mutex lets
// newcomers barge), so it is a floor, not a rival.
type refLocker struct {
	mu    sync.Mutex
	locks map[string]*refMutex
}

type refMutex struct {
	sync.Mutex
	refs int
}

var refPool = sync.Pool{New: func() any { return new(refMutex) }}

func (l *refLocker) Lock(key string) {
	l.mu.Lock()
	if l.locks == nil {
		l.locks = make(map[string]*refMutex)
	}
	m := l.locks[key]
	if m == nil {
		m = refPool.Get().(*refMutex)
		l.locks[key] = m
	}
	m.refs++
	l.mu.Unlock()
	m.Lock()
}

func (l *refLocker) Unlock(key string) {
	l.mu.Lock()
	m := l.locks[key]
	m.Unlock()
	m.refs--
	if m.refs == 0 {
		delete(l.locks, key)
		refPool.Put(m)
	}
	l.mu.Unlock()
}

func BenchmarkUncontended(b *testing.B) {
	ctx := context.Background()
	b.Run("impl=lockmgr", func(b *testing.B) {
		m := &Manager{}
		b.ReportAllocs()
		for b.Loop() {
			r, _ := m.Acquire(ctx, "story:42")
			r()
		}
	})
	b.Run("impl=baseline", func(b *testing.B) {
		l := &refLocker{}
		b.ReportAllocs()
		for b.Loop() {
			l.Lock("story:42")
			l.Unlock("story:42")
		}
	})
}

func BenchmarkContended(b *testing.B) {
	ctx := context.Background()
	b.Run("impl=lockmgr", func(b *testing.B) {
		m := &Manager{}
		b.SetParallelism(8)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				r, _ := m.Acquire(ctx, "hot")
				r()
			}
		})
	})
	b.Run("impl=baseline", func(b *testing.B) {
		l := &refLocker{}
		b.SetParallelism(8)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				l.Lock("hot")
				l.Unlock("hot")
			}
		})
	})
}

func BenchmarkManyKeysParallel(b *testing.B) {
	ctx := context.Background()
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = "story:" + strconv.Itoa(i)
	}
	b.Run("impl=lockmgr", func(b *testing.B) {
		m := &Manager{}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				r, _ := m.Acquire(ctx, keys[i%len(keys)])
				r()
				i += 7
			}
		})
	})
	b.Run("impl=baseline", func(b *testing.B) {
		l := &refLocker{}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				k := keys[i%len(keys)]
				l.Lock(k)
				l.Unlock(k)
				i += 7
			}
		})
	})
}

// BenchmarkReleaseChain queues n callback requests and drains them by
// releasing inside granted: ns/op per request must stay flat as n grows.
func BenchmarkReleaseChain(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run("waiters="+strconv.Itoa(n), func(b *testing.B) {
			m := &Manager{}
			b.ReportAllocs()
			for b.Loop() {
				holder, _ := m.TryAcquire("k")
				for range n {
					m.AcquireFunc("k", func(r Release) { r() })
				}
				holder()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/request")
		})
	}
}
