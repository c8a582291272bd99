package dev.seqpredict.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.seqpredict.flink.FlinkSettings;
import dev.seqpredict.kstreams.PredictionApp;
import dev.seqpredict.processor.JobSettings;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/** What the deployment tests share: the repository's paths, YAML, Dockerfiles, the pom's outputs, properties. */
final class DeployFiles {

    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Path DOCKER = ROOT.resolve("docker");
    static final Path K8S = ROOT.resolve("k8s");

    /** Images built from this repository: seqpredict/&lt;Dockerfile name&gt;. */
    static final String IMAGE_PREFIX = "seqpredict/";

    /** Keys the engines read beyond JobSettings': where MetricsEndpoint listens. */
    static final Set<String> METRICS_KEYS = Set.of("metrics.host", "metrics.port");

    /**
     * The Flink job's jar: built by the Flink branch's shade execution (see the issue); a COPY of it is
     * accepted as a build output even before that execution is in this pom.
     */
    static final String FLINK_JOB_JAR = "target/seqpredict-flink-job.jar";

    private DeployFiles() {
    }

    static Object yaml(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file)) {
            return new Yaml(new LoaderOptions()).load(r);
        }
    }

    /** Every document of a multi-document YAML file (empty documents skipped). */
    static List<Map<String, Object>> yamlDocuments(Path file) throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file)) {
            for (Object o : new Yaml(new LoaderOptions()).loadAll(r)) {
                if (o != null) {
                    docs.add(map(o));
                }
            }
        }
        return docs;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        assertThat(o).isInstanceOf(List.class);
        return (List<Object>) o;
    }

    /** A Dockerfile's instructions, continuation lines joined, comments dropped. */
    record Instruction(String keyword, String args) {
    }

    static List<Instruction> dockerfile(Path file) throws IOException {
        List<Instruction> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            String t = line.strip();
            if (cur.isEmpty() && (t.isEmpty() || t.startsWith("#"))) {
                continue;
            }
            if (t.endsWith("\\")) {
                cur.append(t, 0, t.length() - 1).append(' ');
                continue;
            }
            cur.append(t);
            String s = cur.toString().strip();
            cur.setLength(0);
            int sp = s.indexOf(' ');
            out.add(new Instruction(s.substring(0, sp).toUpperCase(), s.substring(sp + 1).strip()));
        }
        return out;
    }

    /** COPY/ADD sources (all arguments but the last, flags skipped). */
    static List<String> copySources(Instruction i) {
        List<String> parts = new ArrayList<>();
        for (String p : i.args().split("\\s+")) {
            if (!p.startsWith("--")) {
                parts.add(p);
            }
        }
        return parts.subList(0, parts.size() - 1);
    }

    static String copyTarget(Instruction i) {
        String[] parts = i.args().split("\\s+");
        return parts[parts.length - 1];
    }

    /** What `mvn package` writes that images may copy: the CLI jar, its lib/ folder, and the Flink job jar. */
    static Set<String> buildOutputs() throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        Document pom = f.newDocumentBuilder().parse(ROOT.resolve("pom.xml").toFile());
        Set<String> out = new TreeSet<>();
        String finalName = pom.getElementsByTagName("finalName").item(0).getTextContent().strip();
        out.add("target/" + finalName + ".jar");
        NodeList dirs = pom.getElementsByTagName("outputDirectory");
        for (int i = 0; i < dirs.getLength(); i++) {
            Element e = (Element) dirs.item(i);
            String dir = e.getTextContent().strip().replace("${project.build.directory}", "target");
            out.add(dir.endsWith("/") ? dir : dir + "/");
        }
        NodeList shaded = pom.getElementsByTagName("shadedClassifierName");
        for (int i = 0; i < shaded.getLength(); i++) {
            out.add("target/" + finalName + "-" + shaded.item(i).getTextContent().strip() + ".jar");
        }
        out.add(FLINK_JOB_JAR);
        return out;
    }

    /**
     * The property names the engines understand: JobSettings' constants, metrics.*, and the pass-through
     * prefixes kafka.* (clients) and streams.* (Kafka Streams' own settings).
     */
    static Set<String> knownKeys() throws IllegalAccessException {
        return knownKeys(JobSettings.class);
    }

    /** The keys the given settings classes name in their public static String constants, plus the metrics keys. */
    static Set<String> knownKeys(Class<?>... settingsClasses) throws IllegalAccessException {
        Set<String> keys = new TreeSet<>(METRICS_KEYS);
        for (Class<?> c : settingsClasses) {
            for (Field f : c.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                    keys.add((String) f.get(null));
                }
            }
        }
        return keys;
    }

    /** Checks a JobSettings properties text: only known keys, and JobSettings reads it. */
    static Properties settings(String text, String where) throws Exception {
        Properties p = new Properties();
        p.load(new StringReader(text));
        // the shared keys, and the engine's own (flink.* on Flink; state.ttl.ms, query.http.* on Kafka Streams)
        Set<String> known = where.contains("flink") ? knownKeys(JobSettings.class, FlinkSettings.class)
                : where.contains("kstreams") ? knownKeys(JobSettings.class, PredictionApp.class) : knownKeys();
        for (String k : p.stringPropertyNames()) {
            assertThat(known.contains(k) || k.startsWith("kafka.") || k.startsWith("streams."))
                    .as("%s: unknown property '%s' (JobSettings keys: %s)", where, k, known).isTrue();
        }
        JobSettings s = JobSettings.fromProperties(p);
        assertThat(s.bootstrapServers()).as(where + " bootstrap.servers").isEqualTo(p.getProperty("bootstrap.servers"));
        assertThat(p.getProperty("metrics.port")).as(where + " metrics.port").matches("\\d+");
        return p;
    }

    /** host:port → port. */
    static int port(String hostPort) {
        Matcher m = Pattern.compile("^(?:[a-z]+://)?([^:/]+):(\\d+)").matcher(hostPort);
        assertThat(m.find()).as("host:port in '%s'", hostPort).isTrue();
        return Integer.parseInt(m.group(2));
    }

    static String host(String hostPort) {
        Matcher m = Pattern.compile("^(?:[a-z]+://)?([^:/]+):(\\d+)").matcher(hostPort);
        assertThat(m.find()).as("host:port in '%s'", hostPort).isTrue();
        return m.group(1);
    }
}
