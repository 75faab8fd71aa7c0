package dev.pedigree.io.http;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** A least-recently-used map of blocks bounded by their total bytes, shared by a session. */
final class BlockMemory {
    record Key(long sourceId, long index) {}

    private final long capacity;
    private final LinkedHashMap<Key, byte[]> map = new LinkedHashMap<>(64, 0.75f, true);
    private long bytes;

    BlockMemory(long capacity) {
        this.capacity = capacity;
    }

    long capacity() {
        return capacity;
    }

    synchronized byte[] get(Key key) {
        return map.get(key);
    }

    synchronized boolean contains(Key key) {
        return map.containsKey(key);
    }

    synchronized void put(Key key, byte[] block) {
        if (block.length > capacity) {
            return;
        }
        byte[] old = map.put(key, block);
        bytes += block.length - (old == null ? 0 : old.length);
        Iterator<Map.Entry<Key, byte[]>> it = map.entrySet().iterator();
        while (bytes > capacity && it.hasNext()) {
            Map.Entry<Key, byte[]> e = it.next();
            bytes -= e.getValue().length;
            it.remove();
        }
    }

    synchronized void evict(long sourceId) {
        Iterator<Map.Entry<Key, byte[]>> it = map.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, byte[]> e = it.next();
            if (e.getKey().sourceId() == sourceId) {
                bytes -= e.getValue().length;
                it.remove();
            }
        }
    }
}
