package dev.seqpredict.deploy;

import static dev.seqpredict.deploy.DeployFiles.K8S;
import static dev.seqpredict.deploy.DeployFiles.list;
import static dev.seqpredict.deploy.DeployFiles.map;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The manifests of k8s/ validated against real schemas (see {@link Schemas}: Kubernetes' and the Prometheus
 * Operator's from fabric8's model jars, the Flink operator's CRD from its api jar, Strimzi's CRDs from its
 * generator), strictly; then cross-checked: ports, selectors, ConfigMaps, volumes, topics, images; and the
 * CronJob's gate script run with a stand-in CLI to show it publishes only when evaluate exits 0.
 */
class KubernetesManifestsTest {

    private static Schemas schemas;
    private static List<Map<String, Object>> manifests;

    @BeforeAll
    static void load() throws IOException {
        schemas = new Schemas();
        manifests = new ArrayList<>();
        for (Path f : files()) {
            for (Map<String, Object> doc : DeployFiles.yamlDocuments(f)) {
                doc.put("__file", f.getFileName().toString());
                manifests.add(doc);
            }
        }
    }

    private static List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(K8S)) {
            return s.filter(p -> p.toString().endsWith(".yaml") && !p.getFileName().toString().equals("kustomization.yaml"))
                    .sorted().toList();
        }
    }

    private static Map<String, Object> withoutFile(Map<String, Object> m) {
        Map<String, Object> copy = new HashMap<>(m);
        copy.remove("__file");
        return copy;
    }

    private static String id(Map<String, Object> m) {
        return m.get("__file") + ": " + m.get("kind") + " " + map(m.get("metadata")).get("name");
    }

    private static List<Map<String, Object>> ofKind(String kind) {
        return manifests.stream().filter(m -> kind.equals(m.get("kind"))).toList();
    }

    private static Map<String, Object> named(String kind, String name) {
        return ofKind(kind).stream().filter(m -> name.equals(map(m.get("metadata")).get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    @SuppressWarnings("unchecked")
    private static Object at(Object node, String... path) {
        Object cur = node;
        for (String p : path) {
            if (cur instanceof List<?> l) {
                cur = l.get(Integer.parseInt(p));
            } else {
                cur = ((Map<String, Object>) cur).get(p);
            }
            if (cur == null) {
                return null;
            }
        }
        return cur;
    }

    @TestFactory
    Stream<DynamicTest> everyManifestIsValidAgainstItsSchema() {
        assertThat(schemas.kinds()).contains("flink.apache.org/v1beta1/FlinkDeployment", "kafka.strimzi.io/v1/Kafka",
                "kafka.strimzi.io/v1/KafkaNodePool", "kafka.strimzi.io/v1/KafkaTopic", "monitoring.coreos.com/v1/ServiceMonitor",
                "apps/v1/StatefulSet", "batch/v1/CronJob", "v1/Service", "v1/ConfigMap", "v1/PersistentVolumeClaim");
        return manifests.stream().map(m -> DynamicTest.dynamicTest(id(m),
                () -> assertThat(schemas.validate(withoutFile(m))).as(id(m)).isEmpty()));
    }

    @Test
    void theRequiredKindsArePresent() throws IOException {
        Set<String> kinds = new TreeSet<>();
        manifests.forEach(m -> kinds.add(String.valueOf(m.get("kind"))));
        assertThat(kinds).contains("FlinkDeployment", "StatefulSet", "CronJob", "Service", "ServiceMonitor", "Kafka",
                "KafkaNodePool", "KafkaTopic", "ConfigMap", "PersistentVolumeClaim");
        Map<String, Object> kustomization = map(DeployFiles.yaml(K8S.resolve("kustomization.yaml")));
        Set<String> listed = new TreeSet<>();
        list(kustomization.get("resources")).forEach(r -> listed.add(String.valueOf(r)));
        Set<String> present = new TreeSet<>();
        try {
            files().forEach(f -> present.add(f.getFileName().toString()));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertThat(listed).as("kustomization resources").isEqualTo(present);
    }

    /** The negative check: the same validation rejects typical mistakes in each kind. */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "StatefulSet     | spec.replica instead of replicas      | spec | replica | 3",
        "StatefulSet     | a probe port that is an object        | spec.template.spec.containers.0.livenessProbe.httpGet | port | {}",
        "FlinkDeployment | an upgrade mode the operator lacks    | spec.job | upgradeMode | savepoints",
        "FlinkDeployment | a Flink version the operator lacks    | spec | flinkVersion | v3_0",
        "FlinkDeployment | a misspelt job field                  | spec.job | jarUri | local:///x.jar",
        "KafkaTopic      | partitions as a word                  | spec | partitions | six",
        "Kafka           | a listener without its tls flag       | spec.kafka.listeners.0 | tls | null",
        "KafkaNodePool   | an unknown node role                  | spec.roles | 0 | zookeeper",
        "ServiceMonitor  | a misspelt endpoint field             | spec.endpoints.0 | prot | metrics",
        "CronJob         | restartPolicy at the wrong level      | spec.jobTemplate.spec | restartPolicy | Never",
        "ConfigMap       | data values that are not strings      | data | n | {}",
    })
    @SuppressWarnings("unchecked")
    void schemaValidationCatchesMistakes(String kind, String what, String path, String field, String value) {
        Map<String, Object> m = (Map<String, Object>) deepCopy(withoutFile(ofKind(kind).get(0)));
        Object parent = at(m, path.split("\\."));
        Object v = switch (value) {
            case "null" -> null;
            case "{}" -> new HashMap<>();
            default -> value;
        };
        if (parent instanceof List<?> l) {
            ((List<Object>) l).set(Integer.parseInt(field), v);
        } else if (v == null) {
            ((Map<String, Object>) parent).remove(field);
        } else {
            ((Map<String, Object>) parent).put(field, v);
        }
        assertThat(schemas.validate(m)).as(kind + " with " + what).isNotEmpty();
    }

    @SuppressWarnings("unchecked")
    private static Object deepCopy(Object o) {
        if (o instanceof Map<?, ?> mm) {
            Map<String, Object> c = new HashMap<>();
            ((Map<String, Object>) mm).forEach((k, v) -> c.put(k, deepCopy(v)));
            return c;
        }
        if (o instanceof List<?> l) {
            List<Object> c = new ArrayList<>();
            l.forEach(x -> c.add(deepCopy(x)));
            return c;
        }
        return o;
    }

    @Test
    void flinkDeploymentRunsTheJobJarWithRocksDbCheckpointsAndDeclaresTheMetricsPort() throws Exception {
        Map<String, Object> fd = ofKind("FlinkDeployment").get(0);
        Map<String, Object> conf = map(at(fd, "spec", "flinkConfiguration"));
        assertThat(conf).containsEntry("state.backend.type", "rocksdb");
        assertThat(String.valueOf(conf.get("execution.checkpointing.dir"))).matches("(file:///flink-data|s3://).+");
        assertThat(String.valueOf(conf.get("env.java.opts.all"))).contains("--add-modules=jdk.incubator.vector");
        assertThat(at(fd, "spec", "job", "jarURI")).isEqualTo("local:///opt/flink/usrlib/seqpredict-flink-job.jar");
        assertThat(at(fd, "spec", "job", "entryClass")).isEqualTo("dev.seqpredict.flink.PredictionJob");
        assertThat(at(fd, "spec", "image")).isEqualTo("seqpredict/flink-job:0.1.0");
        Map<String, Object> container = map(at(fd, "spec", "podTemplate", "spec", "containers", "0"));
        assertThat(container.get("name")).isEqualTo("flink-main-container");
        Properties p = configMapSettings("seqpredict-flink-config");
        assertThat(portNamed(container, "metrics")).isEqualTo(Integer.parseInt(p.getProperty("metrics.port")));
        // the job's args point at the mounted ConfigMap
        List<Object> args = list(at(fd, "spec", "job", "args"));
        assertThat(args).containsSequence("--config", "/opt/seqpredict/conf/seqpredict.properties");
        assertMountedConfigMap(container, map(at(fd, "spec", "podTemplate", "spec")), "/opt/seqpredict/conf", "seqpredict-flink-config");
        // checkpoints live on the mounted PVC
        assertThat(list(container.get("volumeMounts")).stream().map(v -> map(v).get("mountPath"))).contains("/flink-data");
        assertClaimsExist(map(at(fd, "spec", "podTemplate", "spec")));
    }

    @Test
    void kafkaStreamsAppProbesAndServesMetricsOnItsConfiguredPort() throws Exception {
        Map<String, Object> sts = ofKind("StatefulSet").get(0);
        Map<String, Object> pod = map(at(sts, "spec", "template", "spec"));
        Map<String, Object> c = map(at(pod, "containers", "0"));
        assertThat(c.get("image")).isEqualTo("seqpredict/kstreams:0.1.0");
        Properties p = configMapSettings("seqpredict-kstreams-config");
        int port = Integer.parseInt(p.getProperty("metrics.port"));
        assertThat(portNamed(c, "metrics")).isEqualTo(port);
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            assertThat(at(c, probe, "httpGet", "port")).as(probe).isEqualTo("metrics");
            assertThat(at(c, probe, "httpGet", "path")).as(probe).isEqualTo("/metrics");
        }
        assertThat(map(c.get("resources"))).containsKeys("requests", "limits");
        List<Object> args = list(c.get("args"));
        String configPath = String.valueOf(args.get(args.indexOf("--config") + 1));
        assertMountedConfigMap(c, pod, Path.of(configPath).getParent().toString(), "seqpredict-kstreams-config");
        // RocksDB state on the StatefulSet's volume, where kafka.state.dir points
        Set<String> claims = new HashSet<>();
        list(at(sts, "spec", "volumeClaimTemplates")).forEach(t -> claims.add(String.valueOf(at(t, "metadata", "name"))));
        Map<String, Object> stateMount = list(c.get("volumeMounts")).stream().map(DeployFiles::map)
                .filter(v -> claims.contains(v.get("name"))).findFirst().orElseThrow();
        assertThat(p.getProperty("kafka.state.dir")).startsWith(String.valueOf(stateMount.get("mountPath")));
        assertThat(map(at(sts, "spec", "selector", "matchLabels"))).isEqualTo(
                submap(map(at(sts, "spec", "template", "metadata", "labels")), map(at(sts, "spec", "selector", "matchLabels")).keySet()));
        // image user and pod security context agree (docker/kstreams.Dockerfile creates uid 10001)
        assertThat(Files.readString(DeployFiles.DOCKER.resolve("kstreams.Dockerfile"))).contains("--uid " + at(pod, "securityContext", "runAsUser"));
    }

    @Test
    void servicesSelectThePodsAndTheServiceMonitorScrapesTheirMetricsPort() throws Exception {
        Map<String, Object> sm = ofKind("ServiceMonitor").get(0);
        Map<String, Object> selector = map(at(sm, "spec", "selector", "matchLabels"));
        Set<String> endpointPorts = new HashSet<>();
        list(at(sm, "spec", "endpoints")).forEach(e -> endpointPorts.add(String.valueOf(map(e).get("port"))));
        List<Map<String, Object>> scraped = ofKind("Service").stream()
                .filter(s -> map(at(s, "metadata", "labels")).entrySet().containsAll(selector.entrySet())).toList();
        assertThat(scraped).as("services the ServiceMonitor selects").hasSize(2);
        for (Map<String, Object> svc : scraped) {
            Map<String, Object> port = list(at(svc, "spec", "ports")).stream().map(DeployFiles::map)
                    .filter(p -> endpointPorts.contains(String.valueOf(p.get("name")))).findFirst()
                    .orElseThrow(() -> new AssertionError(id(svc) + " has no port named " + endpointPorts));
            Map<String, Object> podSelector = map(at(svc, "spec", "selector"));
            if (podSelector.containsKey("component")) {
                // the Flink operator labels TaskManager pods app=<FlinkDeployment name>, component=taskmanager
                Map<String, Object> fd = ofKind("FlinkDeployment").get(0);
                assertThat(podSelector).containsEntry("app", at(fd, "metadata", "name")).containsEntry("component", "taskmanager");
                Map<String, Object> c = map(at(fd, "spec", "podTemplate", "spec", "containers", "0"));
                assertThat(port.get("targetPort")).isEqualTo("metrics");
                assertThat(port.get("port")).isEqualTo(portNamed(c, "metrics"));
            } else {
                Map<String, Object> sts = ofKind("StatefulSet").get(0);
                assertThat(map(at(sts, "spec", "template", "metadata", "labels"))).containsAllEntriesOf(podSelector);
                assertThat(at(sts, "spec", "serviceName")).isEqualTo(at(svc, "metadata", "name"));
                Map<String, Object> c = map(at(sts, "spec", "template", "spec", "containers", "0"));
                assertThat(port.get("targetPort")).isEqualTo("metrics");
                assertThat(port.get("port")).isEqualTo(portNamed(c, "metrics"));
            }
        }
    }

    @Test
    void configurationPointsAtTheStrimziClusterAndItsTopics() throws Exception {
        Map<String, Object> kafka = ofKind("Kafka").get(0);
        String cluster = String.valueOf(at(kafka, "metadata", "name"));
        Map<String, Object> plain = list(at(kafka, "spec", "kafka", "listeners")).stream().map(DeployFiles::map)
                .filter(l -> Boolean.FALSE.equals(l.get("tls"))).findFirst().orElseThrow();
        String bootstrap = cluster + "-kafka-bootstrap:" + plain.get("port");
        assertThat(ofKind("KafkaNodePool")).allMatch(p -> cluster.equals(at(p, "metadata", "labels", "strimzi.io/cluster")));
        assertThat(list(at(ofKind("KafkaNodePool").get(0), "spec", "roles"))).contains("controller", "broker");

        Map<String, Map<String, Object>> topics = new HashMap<>();
        for (Map<String, Object> t : ofKind("KafkaTopic")) {
            assertThat(at(t, "metadata", "labels", "strimzi.io/cluster")).as(id(t)).isEqualTo(cluster);
            Object topicName = at(t, "spec", "topicName");
            topics.put(String.valueOf(topicName != null ? topicName : at(t, "metadata", "name")), t);
        }
        for (String cm : List.of("seqpredict-flink-config", "seqpredict-kstreams-config")) {
            Properties p = configMapSettings(cm);
            assertThat(p.getProperty("bootstrap.servers")).as(cm).isEqualTo(bootstrap);
            for (String key : List.of("topic.events", "topic.predictions", "topic.dlq", "topic.models")) {
                assertThat(topics).as(cm + " " + key).containsKey(p.getProperty(key));
            }
            assertThat(at(topics.get(p.getProperty("topic.models")), "spec", "config", "cleanup.policy")).isEqualTo("compact");
        }
        Map<String, String> env = cronJobEnv();
        assertThat(env.get("BOOTSTRAP_SERVERS")).isEqualTo(bootstrap);
        assertThat(topics).containsKeys(env.get("TOPIC_EVENTS"), env.get("TOPIC_MODELS"));
        assertThat(env.get("TOPIC_MODELS")).isEqualTo(configMapSettings("seqpredict-kstreams-config").getProperty("topic.models"));
    }

    @Test
    void imagesAreTheOnesDockerComposeBuilds() throws Exception {
        Set<String> built = new TreeSet<>();
        for (Object s : map(map(DeployFiles.yaml(DeployFiles.DOCKER.resolve("docker-compose.yml"))).get("services")).values()) {
            Map<String, Object> svc = map(s);
            if (svc.containsKey("build")) {
                built.add(String.valueOf(svc.get("image")).replace("${SEQPREDICT_VERSION:-0.1.0}", "0.1.0"));
            }
        }
        Set<String> used = new TreeSet<>();
        used.add(String.valueOf(at(ofKind("FlinkDeployment").get(0), "spec", "image")));
        used.add(String.valueOf(at(ofKind("StatefulSet").get(0), "spec", "template", "spec", "containers", "0", "image")));
        used.add(String.valueOf(at(ofKind("CronJob").get(0), "spec", "jobTemplate", "spec", "template", "spec", "containers", "0", "image")));
        assertThat(built).isEqualTo(used);
    }

    // ---- the CronJob's gate ------------------------------------------------------------------------------

    @ParameterizedTest(name = "evaluate exits {0}: publish={1}, job exit {2}")
    @CsvSource({"0, true, 0", "3, false, 0", "1, false, 1"})
    void retrainPublishesOnlyWhenTheGateAccepts(int evaluateExit, boolean published, int jobExit, @TempDir Path tmp) throws Exception {
        Result r = runRetrain(tmp, 0, evaluateExit);
        assertThat(r.calls).anyMatch(c -> c.startsWith("train ")).anyMatch(c -> c.startsWith("evaluate --candidate "));
        String eval = r.calls.stream().filter(c -> c.startsWith("evaluate")).findFirst().orElseThrow();
        assertThat(eval).contains("--current " + tmp.resolve("models/current.safetensors"));
        assertThat(r.calls.stream().anyMatch(c -> c.startsWith("publish "))).isEqualTo(published);
        assertThat(r.exit).as(r.output).isEqualTo(jobExit);
        assertThat(Files.readString(tmp.resolve("models/current.safetensors"))).isEqualTo(published ? "candidate" : "current");
        if (published) {
            // publish is the last step, after the gate, with the candidate that was evaluated
            assertThat(r.calls.get(r.calls.size() - 1)).startsWith("publish --model " + eval.split(" ")[2]);
        }
    }

    @Test
    void retrainStopsWhenTrainingFails(@TempDir Path tmp) throws Exception {
        Result r = runRetrain(tmp, 1, 0);
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.calls).hasSize(1).allMatch(c -> c.startsWith("train "));
    }

    record Result(int exit, List<String> calls, String output) {
    }

    /** Runs the ConfigMap's retrain.sh with bash and a stand-in CLI that logs its calls. */
    private Result runRetrain(Path tmp, int trainExit, int evaluateExit) throws Exception {
        String script = String.valueOf(at(named("ConfigMap", "seqpredict-retrain"), "data", "retrain.sh"));
        Path scriptFile = Files.writeString(tmp.resolve("retrain.sh"), script);
        Path models = Files.createDirectories(tmp.resolve("models"));
        Files.writeString(models.resolve("current.safetensors"), "current");
        Files.writeString(models.resolve("holdout.csv"), "key,ts,v\n");
        Path log = tmp.resolve("calls.log");
        Path fake = tmp.resolve("fake-seqpredict");
        Files.writeString(fake, """
                #!/bin/bash
                echo "$*" >> "%s"
                case "$1" in
                  train) out=""; while [[ $# -gt 0 ]]; do [[ "$1" == --out ]] && out="$2"; shift; done
                         [[ %d == 0 ]] && echo -n candidate > "$out"; exit %d ;;
                  evaluate) exit %d ;;
                  publish) exit 0 ;;
                esac
                """.formatted(log, trainExit, trainExit, evaluateExit));
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessBuilder pb = new ProcessBuilder("bash", scriptFile.toString()).redirectErrorStream(true);
        pb.environment().putAll(cronJobEnv());
        pb.environment().put("SEQPREDICT", fake.toString());
        pb.environment().put("MODELS_DIR", models.toString());
        pb.environment().put("TMPDIR", tmp.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        List<String> calls = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return new Result(p.exitValue(), calls, out);
    }

    private static Map<String, String> cronJobEnv() {
        Map<String, Object> cj = ofKind("CronJob").get(0);
        Map<String, Object> c = map(at(cj, "spec", "jobTemplate", "spec", "template", "spec", "containers", "0"));
        Map<String, String> env = new HashMap<>();
        list(c.get("env")).forEach(e -> env.put(String.valueOf(map(e).get("name")), String.valueOf(map(e).get("value"))));
        assertThat(list(c.get("command"))).contains("/opt/retrain/retrain.sh");
        return env;
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    private static Properties configMapSettings(String name) throws Exception {
        Map<String, Object> cm = named("ConfigMap", name);
        return DeployFiles.settings(String.valueOf(at(cm, "data", "seqpredict.properties")), name);
    }

    private static int portNamed(Map<String, Object> container, String name) {
        return list(container.get("ports")).stream().map(DeployFiles::map).filter(p -> name.equals(p.get("name")))
                .map(p -> ((Number) p.get("containerPort")).intValue()).findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + name));
    }

    private static void assertMountedConfigMap(Map<String, Object> container, Map<String, Object> pod, String dir, String configMap) {
        Map<String, Object> mount = list(container.get("volumeMounts")).stream().map(DeployFiles::map)
                .filter(v -> dir.equals(v.get("mountPath"))).findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at " + dir));
        Map<String, Object> volume = list(pod.get("volumes")).stream().map(DeployFiles::map)
                .filter(v -> mount.get("name").equals(v.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + mount.get("name")));
        assertThat(at(volume, "configMap", "name")).isEqualTo(configMap);
        named("ConfigMap", configMap);
    }

    private static void assertClaimsExist(Map<String, Object> pod) {
        for (Object v : list(pod.get("volumes"))) {
            Object claim = at(v, "persistentVolumeClaim", "claimName");
            if (claim != null) {
                named("PersistentVolumeClaim", String.valueOf(claim));
            }
        }
    }

    private static Map<String, Object> submap(Map<String, Object> m, Set<String> keys) {
        Map<String, Object> out = new HashMap<>();
        keys.forEach(k -> out.put(k, m.get(k)));
        return out;
    }
}
