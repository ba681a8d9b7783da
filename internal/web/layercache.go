package web

import (
	"bytes"
	"container/list"
	"sync"
	"sync/atomic"
)

// maxCachedLayers is how many encoded Navigator layers the server keeps:
// the layer of every rule, of each language and of each source of a large
// catalog fit, and asking for other filters cannot grow memory beyond it
// (a layer of the full corpus is 8.3 MB of JSON, about 0.6 MB compressed).
const maxCachedLayers = 32

// layerCache keeps encoded Navigator layers, gzip-compressed, per filter
// and base URL, dropping the least recently asked for. The catalog of a
// server never changes, so a layer once built is right for good; building
// one over a large corpus takes 100–300 ms, answering from the cache well
// under a millisecond. It is kept apart from the page cache (and kept when
// that one is off): layers are few, large and costly.
type layerCache struct {
	mu     sync.Mutex
	max    int
	order  *list.List // of *layerEntry, the most recently asked for first
	items  map[string]*list.Element
	builds atomic.Int64 // layers built (not found in the cache)
}

// layerEntry is one cached layer. Requests for a layer being built wait
// for it instead of building it again.
type layerEntry struct {
	key  string
	once sync.Once
	gz   []byte // the JSON, gzip-compressed
	size int    // its uncompressed size
	err  error
	// ready is set once gz and size are (for stats, which may run while
	// the layer is being built).
	ready atomic.Bool
}

func newLayerCache(max int) *layerCache {
	return &layerCache{max: max, order: list.New(), items: map[string]*list.Element{}}
}

// get returns the layer of key, encoding it with encode (once) when it is
// not cached.
func (c *layerCache) get(key string, encode func(*bytes.Buffer) error) *layerEntry {
	c.mu.Lock()
	var e *layerEntry
	if el, ok := c.items[key]; ok {
		c.order.MoveToFront(el)
		e = el.Value.(*layerEntry)
	} else {
		e = &layerEntry{key: key}
		c.items[key] = c.order.PushFront(e)
		for c.order.Len() > c.max {
			last := c.order.Back()
			c.order.Remove(last)
			delete(c.items, last.Value.(*layerEntry).key)
		}
	}
	c.mu.Unlock()
	e.once.Do(func() {
		c.builds.Add(1)
		buf := getBuffer()
		defer putBuffer(buf)
		if e.err = encode(buf); e.err == nil {
			e.gz, e.size = compress(buf.Bytes()), buf.Len()
			e.ready.Store(true)
		}
	})
	if e.err != nil {
		c.mu.Lock() // a failed layer is not kept
		if el, ok := c.items[key]; ok && el.Value == e {
			c.order.Remove(el)
			delete(c.items, key)
		}
		c.mu.Unlock()
	}
	return e
}

// stats returns how many layers are cached and their compressed size.
func (c *layerCache) stats() (layers, size int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for el := c.order.Front(); el != nil; el = el.Next() {
		if e := el.Value.(*layerEntry); e.ready.Load() {
			layers++
			size += len(e.gz)
		}
	}
	return layers, size
}
