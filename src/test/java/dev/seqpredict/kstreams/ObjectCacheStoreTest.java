package dev.seqpredict.kstreams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.processor.Event;
import dev.seqpredict.processor.KeySession;
import dev.seqpredict.processor.OpenSession;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ObjectCacheStore} over a real (in-memory, metered) Kafka Streams store holding {@link KeySession}s through
 * their serde: what reaches the store below, and when. The restore and crash paths through a real broker are in
 * {@code InstanceFailoverTest}, {@code InstanceProcessKillTest} and {@code SessionVerdictsFailoverTest}, which run
 * with the cache on (the default).
 */
class ObjectCacheStoreTest {
    private KeyValueStore<String, KeySession> inner;
    private ObjectCacheStore<KeySession> store;
    private MockProcessorContext<Object, Object> context;

    private ObjectCacheStore<KeySession> open(int maxEntries) {
        inner = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("s"), Serdes.String(), PredictionTopology.SESSION_SERDE)
                .withLoggingDisabled().withCachingDisabled().build();
        ObjectCacheStore<KeySession> s = new ObjectCacheStore<>(inner, KeySession::copy, maxEntries);
        s.init(context.getStateStoreContext(), s);
        return s;
    }

    private static KeySession session(long clock, int events) {
        return new KeySession(new OpenSession(1, clock, events, null, -1), clock, clock + 10);
    }

    @BeforeEach
    void setUp() {
        context = new MockProcessorContext<>();
        store = open(100);
    }

    @AfterEach
    void tearDown() {
        if (store.isOpen()) {
            store.close();
        }
    }

    @Test
    void putsStayInTheCacheUntilAFlushThenOneWritePerKey() {
        for (int i = 1; i <= 1000; i++) {
            store.put("k", session(i, i));
        }
        store.put("j", session(5, 5));
        assertThat(inner.get("k")).isNull();
        assertThat(store.get("k").lastClock()).isEqualTo(1000);
        assertThat(store.writes()).isZero();

        store.flush();
        assertThat(store.writes()).isEqualTo(2);
        assertThat(inner.get("k").lastClock()).isEqualTo(1000);
        assertThat(inner.get("k").session().events()).isEqualTo(1000);
        assertThat(inner.get("j").lastClock()).isEqualTo(5);

        store.flush(); // nothing dirty: nothing written again
        assertThat(store.writes()).isEqualTo(2);
    }

    @Test
    void getHandsOutACopySoAChangeThatIsNotPutIsNotKept() {
        store.put("k", session(7, 3));
        KeySession got = store.get("k");
        got.session().observe(Event.log("k", 8, "a"), null, null, null); // then a step throws: no put
        assertThat(got.session().events()).isEqualTo(4);
        assertThat(store.get("k").session().events()).isEqualTo(3);
        assertThat(store.get("k")).isNotSameAs(store.get("k"));
    }

    @Test
    void aStoredKeyIsReadOnceThenServedFromTheCache() {
        inner.put("k", session(42, 2));
        assertThat(store.get("k").lastClock()).isEqualTo(42);
        inner.put("k", session(43, 2)); // behind the cache's back: the cache keeps what it read
        assertThat(store.get("k").lastClock()).isEqualTo(42);
        assertThat(store.cachedKeys()).isEqualTo(1);
        assertThat(store.get("absent")).isNull();
        assertThat(store.cachedKeys()).isEqualTo(1); // absent keys are not cached
    }

    @Test
    void evictionWritesADirtyKeyFirstAndDropsACleanOne() {
        store.close();
        store = open(2);
        store.put("a", session(1, 1));
        store.put("b", session(2, 1));
        store.get("a"); // b is now the least recently used
        store.put("c", session(3, 1));
        assertThat(store.cachedKeys()).isEqualTo(2);
        assertThat(inner.get("b").lastClock()).isEqualTo(2);
        assertThat(inner.get("a")).isNull();
        assertThat(store.get("b").lastClock()).isEqualTo(2); // read back from the store below
        assertThat(store.writes()).isEqualTo(2); // b evicted; then a (dirty, least recently used) to make room
        assertThat(inner.get("a").lastClock()).isEqualTo(1);
    }

    @Test
    void deleteIsADirtyEntryTooAndReachesTheStoreAtTheFlush() {
        inner.put("k", session(9, 1));
        KeySession old = store.delete("k");
        assertThat(old.lastClock()).isEqualTo(9);
        assertThat(store.get("k")).isNull();
        assertThat(inner.get("k")).isNotNull();
        store.flush();
        assertThat(inner.get("k")).isNull();
        assertThat(store.cachedKeys()).isZero();
        assertThat(store.delete("never")).isNull();
        store.flush();
        assertThat(store.writes()).isEqualTo(1);

        store.put("n", session(1, 1));
        store.put("n", null); // a null put is a delete, as in every KeyValueStore
        store.flush();
        assertThat(inner.get("n")).isNull();
    }

    @Test
    void aCloseWithoutAFlushDropsTheChangesAndAReopenedStoreReadsTheStoreBelow(@TempDir Path dir) {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "cache-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
        MockProcessorContext<Object, Object> persistent = new MockProcessorContext<>(config, new TaskId(0, 0), dir.toFile());
        ObjectCacheStore<KeySession> s = rocks(persistent);
        s.put("k", session(1, 1));
        s.flush();
        s.put("k", session(2, 2));
        s.put("x", session(3, 3));
        s.close(); // a crash: the uncommitted changes are read again from the committed offsets

        ObjectCacheStore<KeySession> again = rocks(persistent);
        assertThat(again.get("k").lastClock()).isEqualTo(1);
        assertThat(again.get("x")).isNull();
        assertThat(again.writes()).isZero();
        again.close();
    }

    private static ObjectCacheStore<KeySession> rocks(MockProcessorContext<Object, Object> context) {
        KeyValueStore<String, KeySession> below = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("rocks"),
                Serdes.String(), PredictionTopology.SESSION_SERDE).withLoggingDisabled().withCachingDisabled().build();
        ObjectCacheStore<KeySession> s = new ObjectCacheStore<>(below, KeySession::copy, 100);
        s.init(context.getStateStoreContext(), s);
        return s;
    }

    @Test
    void scansOnTheWritingThreadSeeEveryChangeAndFromAnotherThreadTheLastFlush() throws Exception {
        store.put("a", session(1, 1));
        store.flush();
        store.put("a", session(11, 1));
        store.put("b", session(2, 1));
        AtomicReference<List<String>> seenElsewhere = new AtomicReference<>();
        Thread query = new Thread(() -> seenElsewhere.set(keysAndClocks(store.all())));
        query.start();
        query.join();
        assertThat(seenElsewhere.get()).containsExactly("a=1");
        inner.put("q", session(5, 1)); // read from another thread: served, not cached (no eviction off the stream thread)
        AtomicReference<KeySession> got = new AtomicReference<>();
        Thread lookup = new Thread(() -> got.set(store.get("q")));
        lookup.start();
        lookup.join();
        assertThat(got.get().lastClock()).isEqualTo(5);
        assertThat(store.cachedKeys()).isEqualTo(2);
        inner.delete("q");

        assertThat(keysAndClocks(store.all())).containsExactly("a=11", "b=2");
        assertThat(keysAndClocks(store.range("b", "z"))).containsExactly("b=2");
        assertThat(inner.get("b").lastClock()).isEqualTo(2); // the scan wrote the dirty keys first
        store.putAll(List.of(KeyValue.pair("c", session(3, 1))));
        assertThat(store.putIfAbsent("c", session(4, 1)).lastClock()).isEqualTo(3);
        assertThat(store.approximateNumEntries()).isEqualTo(3);
    }

    private static List<String> keysAndClocks(KeyValueIterator<String, KeySession> it) {
        List<String> out = new ArrayList<>();
        try (it) {
            it.forEachRemaining(kv -> out.add(kv.key + "=" + kv.value.lastClock()));
        }
        return out;
    }
}
