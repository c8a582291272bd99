package dev.seqpredict.cli;

import dev.seqpredict.demo.Demo;
import dev.seqpredict.demo.StreamEngines;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The full loop in one process, no setup: an in-process Kafka broker, a stream of simulated sensors"
                + " (or log sessions, or a replayed CSV), the prediction job, a retraining loop that publishes a model only"
                + " when it passes the evaluation gate, hot swaps, a live view, /metrics, and a closing plot.",
                "Ctrl-C stops it cleanly."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--engine", defaultValue = "flink", description = "flink or kstreams (default: ${DEFAULT-VALUE}).")
    String engine;

    @Option(names = "--stream", defaultValue = "sensors", description = "sensors or logs (default: ${DEFAULT-VALUE}).")
    String stream;

    @Option(names = "--sensors", defaultValue = "200", description = "Simulated sensors (logs: open sessions) (default: ${DEFAULT-VALUE}).")
    int sensors;

    @Option(names = "--duration", defaultValue = "90s", converter = DurationConverter.class,
            description = "How long to stream (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--rate", defaultValue = "5", description = "Steps per second; each step sends one event per sensor (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--history-steps", defaultValue = "192", description = "Steps of history the initial model is trained on (default: ${DEFAULT-VALUE}, two simulated days).")
    int historySteps;

    @Option(names = "--regime-change-after", defaultValue = "50", description = "Live steps before the sensors change regime (default: ${DEFAULT-VALUE}).")
    int regimeChangeAfter;

    @Option(names = "--retrain-every", defaultValue = "15s", converter = DurationConverter.class,
            description = "How often the retraining loop runs (default: ${DEFAULT-VALUE}).")
    Duration retrainEvery;

    @Option(names = "--training-keys", defaultValue = "24", description = "Keys each (re)training uses (default: ${DEFAULT-VALUE}).")
    int trainingKeys;

    @Option(names = "--hidden", defaultValue = "16", description = "Hidden size of the demo's LSTM (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--epochs", defaultValue = "6", description = "Epochs per training (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--bad-rate", defaultValue = "0.002", description = "Fraction of extra malformed records injected (default: ${DEFAULT-VALUE}).")
    double badRate;

    @Option(names = "--bootstrap-servers", description = "Use this Kafka instead of the in-process broker (topics events, predictions, events-dlq, models must exist).")
    String bootstrapServers;

    @Option(names = "--replay", paramLabel = "FILE.csv", arity = "1..*",
            description = "Stream real CSV files (timestamp,value; one key per file, e.g. NAB) instead of simulated sensors.")
    List<Path> replay;

    @Option(names = "--metrics-port", defaultValue = "9464", description = "Port of /metrics on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 = any free port).")
    int metricsPort;

    @Option(names = "--out", defaultValue = "target/demo", description = "Where the plot goes (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the simulation and training (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-live", description = "No live view redrawn in place (one line every 5 s instead).")
    boolean noLive;

    @Override
    public Integer call() throws Exception {
        if (!engine.equals("flink") && !engine.equals("kstreams")) {
            throw new CliException("--engine must be flink or kstreams, not '" + engine + "'", 2);
        }
        if (!stream.equals("sensors") && !stream.equals("logs")) {
            throw new CliException("--stream must be sensors or logs, not '" + stream + "'", 2);
        }
        if (sensors < 1 || rate <= 0 || historySteps < 48) {
            throw new CliException("need --sensors ≥ 1, --rate > 0 and --history-steps ≥ 48", 2);
        }
        // The console is the live view: engine and broker logs go to a file next to the plot.
        java.nio.file.Files.createDirectories(out);
        System.setProperty("seqpredict.demo.log", out.resolve("demo.log").toString());
        org.apache.logging.log4j.core.config.Configurator.reconfigure(
                DemoCommand.class.getResource("/log4j2-demo.xml").toURI());
        System.out.println("seqpredict demo: logs in " + out.resolve("demo.log"));
        Demo demo = new Demo(new Demo.Options(engine, stream, sensors, historySteps, regimeChangeAfter, rate, duration, 0,
                retrainEvery, trainingKeys, hidden, epochs, badRate, bootstrapServers, replay, metricsPort, out, seed, !noLive),
                System.out, StreamEngines::create);
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            demo.stop();
            try {
                finished.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "seqpredict-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            demo.run(() -> false);
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running and waits for us
            }
        }
        return 0;
    }
}
