package dev.seqpredict.cli;

import dev.seqpredict.model.CellType;
import dev.seqpredict.model.ModelArtifact;
import dev.seqpredict.model.Task;
import dev.seqpredict.train.DataException;
import dev.seqpredict.train.Evaluator;
import dev.seqpredict.train.KafkaSeriesReader;
import dev.seqpredict.train.SequenceTrainer;
import dev.seqpredict.train.SeriesReaders;
import dev.seqpredict.train.SeriesSet;
import dev.seqpredict.train.Split;
import dev.seqpredict.train.TrainingOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "train", sortOptions = false,
        description = {"Train an RNN/LSTM/GRU offline (DJL, PyTorch engine, CPU) on a stream's history and write "
                + "the artifact the streaming jobs load.",
                "Regression predicts the next event's features; classification the next event id (softmax).",
                "Training uses windows of --window consecutive events from a zero state (--sessions: whole sessions, "
                        + "each bounded by an end-of-session symbol the model learns to predict); the validation metric is "
                        + "measured by stepping the exported model event by event over each key's whole history, "
                        + "as the stream does."})
final class TrainCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    static final class Source {
        @Option(names = "--input", paramLabel = "CSV",
                description = "CSV in the predict layout: key,ts,<features...> (regression) or key,ts,event.")
        Path csv;

        @Option(names = "--sessions", paramLabel = "FILE",
                description = "One session per line: event ids separated by spaces (classification).")
        Path sessions;

        @Option(names = "--topic", paramLabel = "TOPIC",
                description = "Kafka topic keyed by entity id, JSON values {\"ts\":..,\"values\":[..]} or {\"ts\":..,\"event\":..}.")
        String topic;
    }

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @ArgGroup(exclusive = true, multiplicity = "1", heading = "Data (one of):%n")
    Source source;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers (with --topic).")
    String bootstrapServers;

    @Option(names = "--last", paramLabel = "N", description = "Kafka: only the last N records of the topic.")
    Long last;

    @Option(names = "--from", paramLabel = "TIME", description = "Kafka: records with timestamp ≥ TIME (epoch ms or ISO-8601 instant).")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "Kafka: records with timestamp ≤ TIME (epoch ms or ISO-8601 instant).")
    String to;

    @Option(names = "--kafka-timeout", paramLabel = "SECONDS", defaultValue = "30", description = "Kafka: give up after this long (default ${DEFAULT-VALUE}).")
    int kafkaTimeout;

    @Option(names = "--task", paramLabel = "TASK", description = "regression or classification (default: from the data).")
    String task;

    @Option(names = "--cell", defaultValue = "lstm", description = "lstm, gru, rnn_tanh or rnn_relu (default ${DEFAULT-VALUE}).")
    String cell;

    @Option(names = "--hidden", defaultValue = "32", description = "Hidden units per layer (default ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--layers", defaultValue = "1", description = "Stacked layers (default ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--window", defaultValue = "20", description = "Truncated BPTT length: windows of W events predicting the next "
            + "(default ${DEFAULT-VALUE}). Not used with --sessions: sessions are trained whole, any length, with an end-of-session symbol.")
    int window;

    @Option(names = "--stride", defaultValue = "1", description = "Events between window starts (default ${DEFAULT-VALUE}).")
    int stride;

    /** Defaults for --sessions (whole sessions, measured on HDFS in docs/real-data.md) and for windows. */
    static final int SESSION_EPOCHS = 40;
    static final float SESSION_LR = 0.005f;
    static final int WINDOW_EPOCHS = 20;
    static final float WINDOW_LR = 0.01f;

    @Option(names = "--epochs", paramLabel = "N",
            description = "Passes over the training windows or sessions (default " + WINDOW_EPOCHS + "; " + SESSION_EPOCHS
                    + " with --sessions).")
    Integer epochs;

    @Option(names = "--batch", defaultValue = "32", description = "Windows per gradient step (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", paramLabel = "RATE",
            description = "Adam learning rate (default " + WINDOW_LR + "; " + SESSION_LR + " with --sessions).")
    Float lr;

    @Option(names = "--clip", defaultValue = "1.0", description = "Gradient clipping (default ${DEFAULT-VALUE}).")
    float clip;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of initialization and shuffling (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--validation-fraction", defaultValue = "0.2", description = "Held out for validation (default ${DEFAULT-VALUE}).")
    double validationFraction;

    @Option(names = "--split", paramLabel = "tail|keys",
            description = "tail: the last fraction of every key's events (default for CSV and Kafka); keys: the last "
                    + "fraction of the keys/sessions (default for sessions).")
    String split;

    @Option(names = "--skip-short", description = "Train without keys that have fewer than window+1 events (default: fail).")
    boolean skipShort;

    @Option(names = "--top-k", defaultValue = "9", description = "k of the top-k hit rate for classification (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--residual", negatable = true, defaultValue = "false", fallbackValue = "true",
            description = "Regression: learn the change from the last value (normalized) instead of the next value; "
                    + "the spec says 'residual' (default ${DEFAULT-VALUE}).")
    boolean residual;

    @Option(names = "--differenced", description = "Regression (implies --residual): the input is each event's change "
            + "from the key's previous one; the spec says 'differenced'.")
    boolean differenced;

    @Option(names = "--out", defaultValue = "model.safetensors", paramLabel = "FILE",
            description = "The model artifact to write (default ${DEFAULT-VALUE}, in the working directory).")
    Path out;

    @Option(names = "--name", description = "Model name (default: the output file name).")
    String name;

    @Option(names = "--version", defaultValue = "1", description = "Model version (default ${DEFAULT-VALUE}).")
    String version;

    @Override
    public Integer call() throws IOException {
        PrintWriter console = spec.commandLine().getOut();
        TrainingOptions options;
        try {
            String modelName = name != null ? name : out.getFileName().toString().replaceFirst("\\.safetensors$", "");
            boolean wholeSessions = source.sessions != null;
            int e = epochs != null ? epochs : wholeSessions ? SESSION_EPOCHS : WINDOW_EPOCHS;
            float rate = lr != null ? lr : wholeSessions ? SESSION_LR : WINDOW_LR;
            options = new TrainingOptions(CellType.fromId(cell), hidden, layers, window, stride, e, batch, rate, seed,
                    task == null ? null : Task.fromId(task), validationFraction,
                    split == null ? null : parseSplit(split), skipShort, topK, clip, modelName, version, residual || differenced, differenced);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), 2);
        }
        try {
            SeriesSet data = read(options.task());
            try (SequenceTrainer trainer = new SequenceTrainer(options)) {
                SequenceTrainer.Result r = trainer.train(data, console);
                ModelArtifact.write(r.model(), out);
                console.println();
                console.printf(Locale.ROOT, "trained %s %dx%d, %s, best epoch %d of %d, %.1f s%n", options.cell(), options.layers(),
                        options.hidden(), r.model().spec().task(), r.bestEpoch(), options.epochs(), r.seconds());
                console.printf(Locale.ROOT, "data        %s: %d rows, %d keys%s%n", data.source(), data.rows(), data.series().size(),
                        data.firstTs() == null ? "" : ", ts " + data.firstTs() + " .. " + data.lastTs());
                printReport(console, "validation", r.validation(), r.model().spec().task());
                console.printf("wrote       %s (%d parameters, sha256 %s)%n", out, r.model().parameterCount(), r.model().sha256());
                console.flush();
            }
        } catch (DataException e) {
            throw new CliException(e.getMessage());
        }
        return 0;
    }

    static void printReport(PrintWriter console, String what, Evaluator.Report r, Task task) {
        if (r == null) {
            console.printf("%-11s none (--validation-fraction 0)%n", what);
            return;
        }
        console.printf(Locale.ROOT, "%-11s %s  (%d predictions, stepped like the stream)%n", what, r.model().summary(), r.model().n());
        if (r.baseline() != null) {
            console.printf(Locale.ROOT, "baseline    %s  (%s)%n", r.baseline().summary(),
                    task == Task.REGRESSION ? "last value" : "most frequent next event after the current one");
        }
    }

    private SeriesSet read(Task t) {
        if (source.csv != null) {
            return SeriesReaders.csv(source.csv, t);
        }
        if (source.sessions != null) {
            if (t == Task.REGRESSION) {
                throw new CliException("--sessions holds event ids: it is classification data, not regression");
            }
            return SeriesReaders.sessions(source.sessions);
        }
        if (bootstrapServers == null) {
            throw new CliException("--topic needs --bootstrap-servers", 2);
        }
        if (last != null && (from != null || to != null)) {
            throw new CliException("use either --last or --from/--to, not both", 2);
        }
        if (last != null && last < 1) {
            throw new CliException("--last must be ≥ 1", 2);
        }
        return KafkaSeriesReader.read(new KafkaSeriesReader.Request(bootstrapServers, source.topic, last,
                time(from, "--from"), time(to, "--to"), t, Duration.ofSeconds(kafkaTimeout)));
    }

    private static Long time(String v, String option) {
        if (v == null) {
            return null;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            try {
                return Instant.parse(v.trim()).toEpochMilli();
            } catch (DateTimeParseException e2) {
                throw new CliException(option + " must be epoch milliseconds or an ISO-8601 instant such as "
                        + "2026-01-31T12:00:00Z, got '" + v + "'", 2);
            }
        }
    }

    private static Split parseSplit(String s) {
        try {
            return Split.fromId(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--split must be tail or keys, got '" + s + "'");
        }
    }
}
