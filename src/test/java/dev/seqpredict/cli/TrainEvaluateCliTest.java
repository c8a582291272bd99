package dev.seqpredict.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.seqpredict.model.ModelArtifact;
import dev.seqpredict.model.RecurrentModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The train and evaluate commands end to end: exit codes, printed results, and every bad-input case. */
class TrainEvaluateCliTest {

    @TempDir
    static Path dir;

    static Path csv;
    static Path good;
    static Path weak;
    static Path sessions;
    static Path classifier;

    record Run(int exit, String out, String err) {
    }

    static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SeqPredictCli.run(new PrintWriter(out), new PrintWriter(err), args);
        Run r = new Run(code, out.toString(), err.toString());
        assertThat(r.err()).as("no stack trace").doesNotContain("\tat ");
        return r;
    }

    @BeforeAll
    static void trainModels() throws IOException {
        csv = dir.resolve("sines.csv");
        StringBuilder b = new StringBuilder("key,ts,value\n");
        Random r = new Random(3);
        for (int t = 0; t < 200; t++) {
            for (int k = 0; k < 3; k++) {
                b.append(String.format(Locale.ROOT, "k%d,%d,%.4f%n", k, 1000 + t,
                        5 * k + Math.sin(2 * Math.PI * t / (18 + 4 * k)) + 0.05 * r.nextGaussian()));
            }
        }
        Files.writeString(csv, b);
        good = dir.resolve("good.safetensors");
        weak = dir.resolve("weak.safetensors");
        Run g = cli("train", "--input", csv.toString(), "--cell", "gru", "--hidden", "12", "--window", "16",
                "--epochs", "8", "--seed", "5", "--out", good.toString(), "--name", "sines", "--version", "2");
        assertThat(g.exit()).as(g.err()).isZero();
        System.out.print(g.out());
        assertThat(g.out()).contains("epoch   8/8", "validation  MAE", "baseline    MAE", "(last value)", "wrote");
        Run w = cli("train", "--input", csv.toString(), "--cell", "rnn_tanh", "--hidden", "2", "--window", "4",
                "--epochs", "1", "--lr", "0.0005", "--out", weak.toString());
        assertThat(w.exit()).as(w.err()).isZero();

        sessions = dir.resolve("sessions.txt");
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            boolean a = r.nextBoolean();
            s.append(a ? "1 2 5 5 5 3 9" : "1 4 5 5 5 6 9").append(' ').append("1 2 5 5 5 3 9").append('\n');
        }
        Files.writeString(sessions, s);
        classifier = dir.resolve("cls.safetensors");
        Run c = cli("train", "--sessions", sessions.toString(), "--hidden", "12", "--window", "6", "--epochs", "4",
                "--top-k", "3", "--out", classifier.toString());
        assertThat(c.exit()).as(c.err()).isZero();
        System.out.print(c.out());
        assertThat(c.out()).contains("keys split", "validation  top-1", "top-3", "most frequent next event");
    }

    @Test
    void trainWritesAnArtifactWithProvenanceAndMetrics() throws Exception {
        RecurrentModel m = ModelArtifact.load(good);
        assertThat(m.spec().name()).isEqualTo("sines");
        assertThat(m.spec().version()).isEqualTo("2");
        assertThat(m.spec().normalization()).isNotNull();
        JsonNode t = m.spec().training();
        assertThat(t.get("cell").asText()).isEqualTo("gru");
        assertThat(t.get("seed").asLong()).isEqualTo(5);
        assertThat(t.get("window").asInt()).isEqualTo(16);
        assertThat(t.get("rows").asLong()).isEqualTo(600);
        assertThat(t.get("first_ts").asText()).isEqualTo("1000");
        assertThat(t.get("last_ts").asText()).isEqualTo("1199");
        JsonNode e = m.spec().evaluation();
        assertThat(e.get("model").get("rmse").asDouble()).isLessThan(e.get("baseline").get("rmse").asDouble());
        assertThat(e.get("baseline").get("name").asText()).isEqualTo("last value");

        RecurrentModel c = ModelArtifact.load(classifier);
        // a sessions file: the events and the end-of-session symbol appended by the trainer
        assertThat(c.spec().vocabulary()).containsExactly("1", "2", "3", "4", "5", "6", "9", "<end>");
        assertThat(c.spec().endSymbol()).isEqualTo("<end>");
        assertThat(c.spec().evaluation().get("model").get("k").asInt()).isEqualTo(3);
    }

    @Test
    void evaluatePrintsTheSameMetrics() {
        Run r = cli("evaluate", "--model", good.toString(), "--input", csv.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("evaluate    sines 2", "model       MAE", "baseline    MAE");
        Run c = cli("evaluate", "--model", classifier.toString(), "--sessions", sessions.toString(), "--top-k", "3");
        assertThat(c.exit()).as(c.err()).isZero();
        assertThat(c.out()).contains("top-1", "top-3");
    }

    @Test
    void gateAcceptsABetterCandidateAndRejectsAWorseOne() {
        Run accept = cli("evaluate", "--candidate", good.toString(), "--current", weak.toString(), "--input", csv.toString());
        assertThat(accept.exit()).as(accept.out() + accept.err()).isZero();
        assertThat(accept.out()).contains("ACCEPTED");
        Run reject = cli("evaluate", "--candidate", weak.toString(), "--current", good.toString(), "--input", csv.toString());
        assertThat(reject.exit()).isEqualTo(EvaluateCommand.EXIT_REJECTED);
        assertThat(reject.out()).contains("REJECTED", "RMSE");
        Run same = cli("evaluate", "--candidate", good.toString(), "--current", good.toString(), "--input", csv.toString(),
                "--tolerance", "0.0");
        assertThat(same.exit()).isZero();
        Run generous = cli("evaluate", "--candidate", weak.toString(), "--current", good.toString(), "--input", csv.toString(),
                "--tolerance", "1000");
        assertThat(generous.exit()).isZero();
    }

    @Test
    void badInputGivesAClearMessageAndNonZeroExit() throws IOException {
        Path out = dir.resolve("never.safetensors");
        expectError(write("empty.csv", ""), "is empty", "train", "--out", out.toString());
        expectError(write("header.csv", "key,ts,value\n"), "no rows", "train", "--out", out.toString());
        expectError(write("ragged.csv", "key,ts,value\na,1,2.0\na,2,3.0,4.0\n"), "ragged.csv:3: expected 3 columns",
                "train", "--out", out.toString());
        expectError(write("nan.csv", "key,ts,value\na,1,2.0\na,2,NaN\n"), "nan.csv:3: column 3 (value) is not finite",
                "train", "--out", out.toString());
        expectError(write("text.csv", "key,ts,value\na,1,2.0\na,2,abc\n"), "is not a number: 'abc'",
                "train", "--out", out.toString());
        expectError(write("short.csv", "key,ts,value\na,1,2.0\na,2,3.0\na,3,4.0\n"),
                "fewer training events than --window + 1", "train", "--out", out.toString(), "--window", "5");
        expectError(write("empty.txt", "\n\n"), "is empty", "train", "--out", out.toString(), "--sessions-placeholder");
        assertThat(Files.exists(out)).isFalse();

        Run missing = cli("train", "--input", dir.resolve("nope.csv").toString(), "--out", out.toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("input file not found");

        Run cell = cli("train", "--input", csv.toString(), "--cell", "transformer", "--out", out.toString());
        assertThat(cell.exit()).isNotZero();
        assertThat(cell.err()).contains("unknown cell 'transformer'");

        Path unknown = write("unknown.txt", "1 2 5 5 5 3 9\n1 2 77 5 3 9\n");
        Run vocab = cli("evaluate", "--model", classifier.toString(), "--sessions", unknown.toString());
        assertThat(vocab.exit()).isEqualTo(1);
        assertThat(vocab.err()).contains("vocabulary mismatch", "[77]");

        Run features = cli("evaluate", "--model", good.toString(), "--input",
                write("two.csv", "key,ts,a,b\nx,1,1,2\nx,2,2,3\n").toString());
        assertThat(features.exit()).isEqualTo(1);
        assertThat(features.err()).contains("2 feature column(s)", "takes 1");

        Run task = cli("evaluate", "--candidate", good.toString(), "--current", classifier.toString(), "--input", csv.toString());
        assertThat(task.exit()).isEqualTo(1);
        assertThat(task.err()).contains("cannot be compared");
    }

    @Test
    void unreachableKafkaIsAClearError() {
        Run r = cli("train", "--topic", "history", "--bootstrap-servers", "127.0.0.1:1", "--kafka-timeout", "2",
                "--out", dir.resolve("k.safetensors").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("cannot reach Kafka at 127.0.0.1:1");
        Run noServers = cli("train", "--topic", "history", "--out", dir.resolve("k.safetensors").toString());
        assertThat(noServers.exit()).isEqualTo(2);
        assertThat(noServers.err()).contains("--topic needs --bootstrap-servers");
    }

    private static void expectError(Path input, String message, String command, String... rest) {
        String[] args;
        boolean sessionsFile = rest.length > 0 && rest[rest.length - 1].equals("--sessions-placeholder");
        int n = sessionsFile ? rest.length - 1 : rest.length;
        args = new String[3 + n];
        args[0] = command;
        args[1] = sessionsFile ? "--sessions" : "--input";
        args[2] = input.toString();
        System.arraycopy(rest, 0, args, 3, n);
        Run r = cli(args);
        assertThat(r.exit()).as(r.out()).isEqualTo(1);
        assertThat(r.err()).contains("error: ").contains(message);
    }

    private static Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }
}
