package dev.seqpredict.kstreams;

import dev.seqpredict.metrics.StreamMetrics;
import dev.seqpredict.processor.JobSettings;
import dev.seqpredict.processor.ModelRegistry;
import dev.seqpredict.processor.ModelRegistry.Update;
import dev.seqpredict.processor.PublishedModel;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maintains the global model store from the compacted models topic (key = model name, value =
 * artifact bytes, empty or null = withdraw; signature headers when models are signed). The store keeps
 * each accepted record whole ({@link PublishedModel#encode()}). Every artifact is validated with
 * {@link ModelRegistry#offer} first; only accepted bytes are stored, so a model that fails validation
 * is logged with its reason, counted, and the previous model stays in service.
 */
final class ModelStoreProcessor implements Processor<String, byte[], Void, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(ModelStoreProcessor.class);

    private final JobSettings settings;
    private final ModelRegistry.ArtifactVerifier verifier;
    private final ModelCatalog catalog;
    private final StreamMetrics metrics;
    private KeyValueStore<String, byte[]> store;
    private ModelRegistry validator;

    ModelStoreProcessor(JobSettings settings, ModelRegistry.ArtifactVerifier verifier, ModelCatalog catalog, StreamMetrics metrics) {
        this.settings = settings;
        this.verifier = verifier;
        this.catalog = catalog;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(PredictionTopology.MODEL_STORE);
        validator = settings.newRegistry(verifier);
        // Know what is already served, so a re-published identical artifact is "unchanged".
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                if (validator.offer(PublishedModel.decode(kv.key, kv.value)) instanceof Update.Accepted a) {
                    metrics.modelAccepted(a.model());
                }
            }
        }
        catalog.changed();
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String name = record.key();
        PublishedModel published = PublishedModel.fromRecord(name, record.value(), header -> {
            var h = record.headers().lastHeader(header);
            return h == null ? null : h.value();
        });
        Update u = validator.offer(published);
        if (u instanceof Update.Accepted a) {
            store.put(name, published.encode()); // with its signature headers, checked again after a restore
            catalog.changed();
            metrics.modelAccepted(a.model());
            LOG.info("model '{}' v{} accepted ({} bytes, {}){}", name, a.model().version(), record.value().length,
                    a.model().model().spec().cell(), a.replaced() == null ? "" : ", replaces v" + a.replaced().version());
        } else if (u instanceof Update.Unchanged un) {
            LOG.info("model '{}' v{} re-published unchanged", name, un.model().version());
        } else if (u instanceof Update.Removed r) {
            store.delete(name);
            catalog.changed();
            metrics.modelRemoved(name);
            LOG.info("model '{}' withdrawn{}", name, r.removed() == null ? " (was not served)" : "");
        } else if (u instanceof Update.Rejected r) {
            metrics.modelRejected(r.name(), r.reason());
            LOG.warn("model '{}' rejected ({}): {}; the previous model stays in service", r.name(), r.reason(), r.detail());
        }
    }
}
