package dev.seqpredict.kstreams;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * A key-value store that keeps the latest value of its most recently used keys as Java objects between two
 * commits, over a normal Kafka Streams store (metered, changelogged, RocksDB). Without it every event decoded
 * its key's state, encoded it again and sent it to the changelog (BENCHMARKS §5b); Kafka Streams' own record
 * cache would save the changelog record but still decode and encode per event, since it holds bytes. Here a
 * put only marks the key dirty; the dirty keys are
 * encoded and written to the store below (and so to its changelog) when Kafka Streams flushes the stores,
 * which it does before every commit, and when a dirty key is evicted.
 *
 * <p>Why this keeps the guarantees of the store below: a commit (offsets, or the transaction with
 * exactly-once) always comes after the flush, so everything a committed event changed is in the changelog
 * first; a crash loses only uncommitted changes, and their events are read again from the committed offsets,
 * exactly as with Kafka Streams' record cache. {@link #init} starts from an empty cache (a restored or revived
 * task reads the store), {@link #close} drops the cache without writing it (a clean close has flushed
 * already; a dirty close must not write).
 *
 * <p>Value semantics: {@link #get} returns a copy (the {@code copy} function), so a caller that changes the
 * value and then does not put it (an exception half-way) leaves the cached value as it was, as with a
 * serializing store. The cache holds at most {@code maxEntries} keys (least recently used evicted, written
 * first when dirty). Scans ({@link #all}, {@link #range}, ...) write the dirty keys first and then read the
 * store below, on the stream thread; from another thread (an interactive query) they read the store below
 * as of the last flush. Point lookups from any thread see the latest value.
 *
 * <p>It extends Kafka Streams' {@code WrappedStateStore} (an internal class) so that Kafka Streams
 * sees through it to the timestamped store below when it restores the changelog
 * ({@code WrappedStateStore.isTimestamped}). The failover tests restore through it: with the flush not writing the
 * dirty keys, InstanceFailoverTest, InstanceProcessKillTest, SessionVerdictsFailoverTest and PredictionAppKafkaTest fail.
 */
class ObjectCacheStore<V> extends WrappedStateStore<KeyValueStore<String, V>, String, V> implements KeyValueStore<String, V> {

    /** A cached value; {@code value == null && dirty} is a delete not yet written. */
    private static final class Entry<V> {
        V value;
        boolean dirty;

        Entry(V value, boolean dirty) {
            this.value = value;
            this.dirty = dirty;
        }
    }

    private final UnaryOperator<V> copy;
    private final int maxEntries;
    private final LinkedHashMap<String, Entry<V>> cache;
    private volatile Thread owner; // the stream thread (the one that puts)
    private long writes;            // puts and deletes written to the store below (for tests and logs)

    ObjectCacheStore(KeyValueStore<String, V> inner, UnaryOperator<V> copy, int maxEntries) {
        super(inner);
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be ≥ 1, got " + maxEntries);
        }
        this.copy = copy;
        this.maxEntries = maxEntries;
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry<V>> eldest) {
                if (size() <= ObjectCacheStore.this.maxEntries) {
                    return false;
                }
                if (eldest.getValue().dirty) {
                    write(eldest.getKey(), eldest.getValue().value);
                }
                return true;
            }
        };
    }

    @Override
    public synchronized void init(StateStoreContext context, StateStore root) {
        cache.clear();
        owner = null; // a task may come back on another stream thread
        super.init(context, root);
    }

    @Override
    public synchronized V get(String key) {
        Entry<V> e = cache.get(key);
        if (e == null) {
            V stored = wrapped().get(key);
            if (stored == null) {
                return null; // absent keys are not cached: most are about to be put, some never come back
            }
            Thread writer = owner;
            if (writer == null || writer == Thread.currentThread()) {
                // not from an interactive query's thread: the insert may evict a dirty key, which writes it
                cache.put(key, new Entry<>(stored, false));
            }
            return copy.apply(stored);
        }
        return e.value == null ? null : copy.apply(e.value);
    }

    @Override
    public synchronized void put(String key, V value) {
        Thread t = Thread.currentThread();
        if (owner != t) {
            owner = t; // only the stream thread writes
        }
        Entry<V> e = cache.get(key);
        if (e == null) {
            cache.put(key, new Entry<>(value, true));
        } else {
            e.value = value;
            e.dirty = true;
        }
    }

    @Override
    public synchronized V putIfAbsent(String key, V value) {
        V old = get(key);
        if (old == null) {
            put(key, value);
        }
        return old;
    }

    @Override
    public synchronized void putAll(List<KeyValue<String, V>> entries) {
        for (KeyValue<String, V> kv : entries) {
            put(kv.key, kv.value);
        }
    }

    @Override
    public synchronized V delete(String key) {
        V old = get(key); // caches a stored value, so a key that exists is in the cache now
        Entry<V> e = cache.get(key);
        if (e != null) {
            e.value = null;
            e.dirty = true;
        }
        return old;
    }

    @Override
    public KeyValueIterator<String, V> range(String from, String to) {
        writeDirtyIfOwner();
        return wrapped().range(from, to);
    }

    @Override
    public KeyValueIterator<String, V> reverseRange(String from, String to) {
        writeDirtyIfOwner();
        return wrapped().reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<String, V> all() {
        writeDirtyIfOwner();
        return wrapped().all();
    }

    @Override
    public KeyValueIterator<String, V> reverseAll() {
        writeDirtyIfOwner();
        return wrapped().reverseAll();
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<String, V> prefixScan(P prefix, PS prefixKeySerializer) {
        writeDirtyIfOwner();
        return wrapped().prefixScan(prefix, prefixKeySerializer);
    }

    @Override
    public long approximateNumEntries() {
        writeDirtyIfOwner();
        return wrapped().approximateNumEntries();
    }

    @Override
    public void flush() {
        writeDirty();
        super.flush();
    }

    @Override
    public void flushCache() {
        writeDirty();
        super.flushCache();
    }

    @Override
    public synchronized void close() {
        cache.clear();
        super.close();
    }

    /** Puts and deletes written to the store below since this instance was made. */
    synchronized long writes() {
        return writes;
    }

    /** Keys held now. */
    synchronized int cachedKeys() {
        return cache.size();
    }

    private void writeDirtyIfOwner() {
        if (Thread.currentThread() == owner) {
            writeDirty();
        }
    }

    /** Writes every dirty key to the store below, in the order the keys were last used; they stay cached, clean. */
    private synchronized void writeDirty() {
        for (Iterator<Map.Entry<String, Entry<V>>> it = cache.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Entry<V>> me = it.next();
            Entry<V> e = me.getValue();
            if (!e.dirty) {
                continue;
            }
            write(me.getKey(), e.value);
            if (e.value == null) {
                it.remove();
            } else {
                e.dirty = false;
            }
        }
    }

    private void write(String key, V value) {
        if (value == null) {
            wrapped().delete(key);
        } else {
            wrapped().put(key, value);
        }
        writes++;
    }

    /** The timestamped form, which Kafka Streams' interactive queries unwrap to the plain value. */
    static final class Timestamped<T> extends ObjectCacheStore<ValueAndTimestamp<T>> implements TimestampedKeyValueStore<String, T> {
        Timestamped(KeyValueStore<String, ValueAndTimestamp<T>> inner, UnaryOperator<T> copy, int maxEntries) {
            super(inner, v -> ValueAndTimestamp.make(copy.apply(v.value()), v.timestamp()), maxEntries);
        }
    }

    /** Builds an {@link ObjectCacheStore} over what {@code inner} builds (its logging and caching settings apply). */
    static final class Builder<S extends ObjectCacheStore<?>> implements StoreBuilder<S> {
        private final StoreBuilder<?> inner;
        private final java.util.function.Function<StateStore, S> wrap;

        @SuppressWarnings("unchecked")
        static <V> Builder<ObjectCacheStore<V>> of(StoreBuilder<? extends KeyValueStore<String, V>> inner, UnaryOperator<V> copy,
                                                  int maxEntries) {
            return new Builder<>(inner, s -> new ObjectCacheStore<>((KeyValueStore<String, V>) s, copy, maxEntries));
        }

        @SuppressWarnings("unchecked")
        static <T> Builder<Timestamped<T>> timestamped(StoreBuilder<? extends TimestampedKeyValueStore<String, T>> inner,
                                                       UnaryOperator<T> copy, int maxEntries) {
            return new Builder<>(inner, s -> new Timestamped<>((KeyValueStore<String, ValueAndTimestamp<T>>) s, copy, maxEntries));
        }

        private Builder(StoreBuilder<?> inner, java.util.function.Function<StateStore, S> wrap) {
            this.inner = inner.withCachingDisabled(); // this store is the cache; Kafka's byte cache under it would be a second
            this.wrap = wrap;
        }

        @Override
        public StoreBuilder<S> withCachingEnabled() {
            throw new UnsupportedOperationException("the object cache replaces Kafka Streams' record cache");
        }

        @Override
        public StoreBuilder<S> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<S> withLoggingEnabled(Map<String, String> config) {
            inner.withLoggingEnabled(config);
            return this;
        }

        @Override
        public StoreBuilder<S> withLoggingDisabled() {
            inner.withLoggingDisabled();
            return this;
        }

        @Override
        public S build() {
            return wrap.apply(inner.build());
        }

        @Override
        public Map<String, String> logConfig() {
            return inner.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return inner.loggingEnabled();
        }

        @Override
        public String name() {
            return inner.name();
        }
    }
}
