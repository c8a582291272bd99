package dev.seqpredict.demo;

import dev.seqpredict.kstreams.PredictionApp;
import dev.seqpredict.processor.JobSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;

/** The Kafka Streams application, in-process, with its state in a temporary directory. */
final class KStreamsEngine implements StreamEngine {
    private PredictionApp app;
    private Path stateDir;

    @Override
    public String name() {
        return "kstreams";
    }

    @Override
    public void start(JobSettings settings) throws Exception {
        stateDir = Files.createTempDirectory("seqpredict-demo-kstreams");
        Properties p = settings.toProperties();
        p.setProperty("streams.application.id", "seqpredict-demo-" + ProcessHandle.current().pid());
        p.setProperty("streams.state.dir", stateDir.toString());
        p.setProperty("query.http.port", "0");
        app = PredictionApp.start(p);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (app.streams().state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline || app.streams().state() == KafkaStreams.State.ERROR) {
                throw new IllegalStateException("Kafka Streams did not reach RUNNING: " + app.streams().state());
            }
            Thread.sleep(100);
        }
    }

    @Override
    public void close() throws Exception {
        if (app != null) {
            app.close();
        }
        if (stateDir != null) {
            try (var files = Files.walk(stateDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
