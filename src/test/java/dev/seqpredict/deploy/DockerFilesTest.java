package dev.seqpredict.deploy;

import static dev.seqpredict.deploy.DeployFiles.DOCKER;
import static dev.seqpredict.deploy.DeployFiles.ROOT;
import static dev.seqpredict.deploy.DeployFiles.list;
import static dev.seqpredict.deploy.DeployFiles.map;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Static checks of docker/ (no Docker engine here, so nothing is built or run): the YAML parses, every COPY
 * source is a file of the repository or something `mvn package` writes (and .dockerignore lets it into the
 * build context), images are named seqpredict/&lt;Dockerfile&gt; consistently, and ports and addresses agree
 * between docker-compose.yml, the Prometheus scrape config, the apps' properties and Grafana's provisioning.
 */
class DockerFilesTest {

    private static final Path COMPOSE = DOCKER.resolve("docker-compose.yml");

    private static Map<String, Object> services() throws Exception {
        return map(map(DeployFiles.yaml(COMPOSE)).get("services"));
    }

    private static List<Path> dockerfiles() throws Exception {
        try (Stream<Path> s = Files.list(DOCKER)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".Dockerfile")).sorted().toList();
        }
    }

    @Test
    void yamlFilesParse() throws Exception {
        List<Path> files = new ArrayList<>(List.of(COMPOSE, DOCKER.resolve("prometheus.yml")));
        try (Stream<Path> s = Files.walk(ROOT.resolve("dashboards/provisioning"))) {
            s.filter(p -> p.toString().endsWith(".yml")).forEach(files::add);
        }
        for (Path f : files) {
            assertThat(DeployFiles.yaml(f)).as(f.toString()).isInstanceOf(Map.class);
        }
        assertThat(services()).containsKeys("kafka", "kafka-init", "jobmanager", "taskmanager", "kstreams", "trainer",
                "prometheus", "grafana");
    }

    @Test
    void dockerfilesUseTheAgreedBaseImagesAndEntryPoints() throws Exception {
        Map<String, String> from = new HashMap<>();
        Map<String, String> entry = new HashMap<>();
        for (Path f : dockerfiles()) {
            for (DeployFiles.Instruction i : DeployFiles.dockerfile(f)) {
                if (i.keyword().equals("FROM")) {
                    from.put(f.getFileName().toString(), i.args());
                }
                if (i.keyword().equals("ENTRYPOINT")) {
                    entry.put(f.getFileName().toString(), i.args());
                }
            }
        }
        assertThat(from).containsEntry("flink-job.Dockerfile", "flink:2.2.1-java17")
                .containsEntry("kstreams.Dockerfile", "eclipse-temurin:17-jre")
                .containsEntry("trainer.Dockerfile", "eclipse-temurin:17-jre");
        assertThat(entry.get("kstreams.Dockerfile")).contains("\"--add-modules\", \"jdk.incubator.vector\"")
                .contains("dev.seqpredict.kstreams.PredictionApp").contains("/opt/seqpredict/lib/*");
        assertThat(entry.get("trainer.Dockerfile")).contains("\"--add-modules\", \"jdk.incubator.vector\"")
                .contains("\"-jar\", \"/opt/seqpredict/seqpredict.jar\"");
        // the Flink image puts the job jar where application mode finds it
        assertThat(copies("flink-job.Dockerfile")).containsEntry("target/seqpredict-flink-job.jar",
                "/opt/flink/usrlib/seqpredict-flink-job.jar");
    }

    @Test
    void everyCopySourceIsInTheRepositoryOrABuildOutputAndInTheContext() throws Exception {
        Set<String> outputs = DeployFiles.buildOutputs();
        assertThat(outputs).contains("target/seqpredict.jar", "target/lib/");
        List<String> ignore = Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        for (Path f : dockerfiles()) {
            for (DeployFiles.Instruction i : DeployFiles.dockerfile(f)) {
                assertThat(i.keyword()).as(f + ": use COPY, not ADD").isNotEqualTo("ADD");
                if (!i.keyword().equals("COPY")) {
                    continue;
                }
                for (String src : DeployFiles.copySources(i)) {
                    String where = f.getFileName() + ": COPY " + src;
                    boolean built = outputs.contains(src) || outputs.contains(src + "/");
                    boolean inRepo = Files.exists(ROOT.resolve(src)) && !src.startsWith("target/");
                    assertThat(built || inRepo).as(where + " is neither a build output " + outputs + " nor a repository file").isTrue();
                    assertThat(includedInContext(src, ignore)).as(where + " is excluded by .dockerignore").isTrue();
                }
            }
        }
    }

    /** .dockerignore here is "exclude everything, then re-include": the source must be re-included. */
    private static boolean includedInContext(String src, List<String> ignore) {
        boolean included = true;
        for (String rule : ignore) {
            boolean negate = rule.startsWith("!");
            String pat = (negate ? rule.substring(1) : rule).replaceAll("/$", "");
            boolean matches = pat.equals("*") || src.equals(pat) || src.startsWith(pat + "/") || src.replaceAll("/$", "").equals(pat);
            if (matches) {
                included = negate;
            }
        }
        return included;
    }

    @Test
    void imagesAreNamedAfterTheirDockerfileAndBuiltOnce() throws Exception {
        Map<String, String> imageOfDockerfile = new HashMap<>();
        for (Map.Entry<String, Object> e : services().entrySet()) {
            Map<String, Object> svc = map(e.getValue());
            String image = String.valueOf(svc.get("image"));
            if (svc.containsKey("build")) {
                Map<String, Object> build = map(svc.get("build"));
                Path context = DOCKER.resolve(String.valueOf(build.get("context"))).normalize();
                assertThat(context).as(e.getKey() + " build context").isEqualTo(ROOT.normalize());
                Path dockerfile = context.resolve(String.valueOf(build.get("dockerfile")));
                assertThat(dockerfile).as(e.getKey() + " dockerfile").exists();
                String name = dockerfile.getFileName().toString().replace(".Dockerfile", "");
                assertThat(image).as(e.getKey() + " image").isEqualTo(DeployFiles.IMAGE_PREFIX + name + ":${SEQPREDICT_VERSION:-0.1.0}");
                assertThat(imageOfDockerfile.put(dockerfile.toString(), image)).as("built twice: " + dockerfile).isNull();
            } else if (image.startsWith(DeployFiles.IMAGE_PREFIX)) {
                assertThat(imageOfDockerfile).as(e.getKey() + " uses an image that no service builds").containsValue(image);
            }
        }
        assertThat(imageOfDockerfile).hasSize(dockerfiles().size());
        assertThat(map(services().get("jobmanager")).get("image")).isEqualTo(map(services().get("taskmanager")).get("image"));
        assertThat(map(services().get("kafka")).get("image")).isEqualTo("apache/kafka:4.2.0");
        assertThat(String.valueOf(map(services().get("jobmanager")).get("command")))
                .startsWith("standalone-job").contains("--job-classname dev.seqpredict.flink.PredictionJob");
    }

    @Test
    void portsAndAddressesAgree() throws Exception {
        Map<String, Object> services = services();
        Map<String, Properties> settings = appSettings(services);
        assertThat(settings).containsKeys("taskmanager", "kstreams");

        // Kafka: the apps' bootstrap.servers is the broker's in-network advertised listener; a valid KRaft cluster id
        Map<String, Object> kafkaEnv = map(map(services.get("kafka")).get("environment"));
        String advertised = String.valueOf(kafkaEnv.get("KAFKA_ADVERTISED_LISTENERS"));
        String clusterId = String.valueOf(kafkaEnv.get("CLUSTER_ID"));
        assertThat(Base64.getUrlDecoder().decode(clusterId)).as("CLUSTER_ID: base64 of 16 bytes").hasSize(16);
        String topicsScript = String.valueOf(map(services.get("kafka-init")).get("command"));
        for (Map.Entry<String, Properties> e : settings.entrySet()) {
            Properties p = e.getValue();
            for (String server : p.getProperty("bootstrap.servers").split(",")) {
                assertThat(advertised).as(e.getKey() + " bootstrap.servers").contains("PLAINTEXT://" + server);
                assertThat(services).containsKey(DeployFiles.host(server));
            }
            for (String topic : List.of("topic.events", "topic.predictions", "topic.dlq", "topic.models")) {
                assertThat(topicsScript).as(e.getKey() + " " + topic + " is created").contains("--topic " + p.getProperty(topic) + " ");
            }
            assertThat(topicsScript).contains("--topic " + p.getProperty("topic.models") + " --partitions 1 --replication-factor 1 --config cleanup.policy=compact");
        }

        // Prometheus scrapes each app at its metrics.port, on a port the container exposes; the job "flink"
        // scrapes Flink's own reporter at the port FLINK_PROPERTIES gives it
        Map<String, Object> prom = map(DeployFiles.yaml(DOCKER.resolve("prometheus.yml")));
        Set<String> scraped = new TreeSet<>();
        for (Object job : list(prom.get("scrape_configs"))) {
            Map<String, Object> j = map(job);
            assertThat(j.get("metrics_path")).isEqualTo("/metrics");
            for (Object sc : list(j.get("static_configs"))) {
                for (Object t : list(map(sc).get("targets"))) {
                    String target = String.valueOf(t);
                    String host = DeployFiles.host(target);
                    assertThat(services).as("scrape target " + target).containsKey(host);
                    if ("flink".equals(j.get("job_name"))) {
                        String flinkProperties = String.valueOf(map(map(services.get(host)).get("environment")).get("FLINK_PROPERTIES"));
                        assertThat(flinkProperties).as(host + " FLINK_PROPERTIES")
                                .contains("metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory")
                                .contains("metrics.reporter.prom.port: " + DeployFiles.port(target) + "\n");
                        assertThat(containerPorts(map(services.get(host)), host)).as(host + " exposes").contains(DeployFiles.port(target));
                        continue;
                    }
                    assertThat(settings).as("scrape target %s runs seqpredict with a metrics.port", target).containsKey(host);
                    assertThat(DeployFiles.port(target)).as(target).isEqualTo(Integer.parseInt(settings.get(host).getProperty("metrics.port")));
                    assertThat(containerPorts(map(services.get(host)), host)).as(host + " exposes").contains(DeployFiles.port(target));
                    scraped.add(host);
                }
            }
        }
        assertThat(scraped).containsExactlyInAnyOrder("taskmanager", "kstreams");
        assertThat(String.valueOf(map(services.get("prometheus")).get("volumes"))).contains("./prometheus.yml:/etc/prometheus/prometheus.yml");
        assertThat(containerPorts(map(services.get("prometheus")), "prometheus")).contains(9090);

        // Grafana: the datasource points at the prometheus service; the provider path is where the dashboards are mounted
        Map<String, Object> ds = map(list(map(DeployFiles.yaml(ROOT.resolve("dashboards/provisioning/datasources/prometheus.yml")))
                .get("datasources")).get(0));
        String url = String.valueOf(ds.get("url"));
        assertThat(DeployFiles.host(url)).isEqualTo("prometheus");
        assertThat(DeployFiles.port(url)).isEqualTo(9090);
        for (Path d : Dashboards.files()) {
            assertThat(Files.readString(d)).as(d + " datasource uid").contains("\"uid\": \"" + ds.get("uid") + "\"");
        }
        Map<String, Object> provider = map(list(map(DeployFiles.yaml(ROOT.resolve("dashboards/provisioning/dashboards/seqpredict.yml")))
                .get("providers")).get(0));
        String path = String.valueOf(map(provider.get("options")).get("path"));
        List<String> grafanaVolumes = list(map(services.get("grafana")).get("volumes")).stream().map(String::valueOf).toList();
        assertThat(grafanaVolumes).contains("../dashboards:" + path + ":ro",
                "../dashboards/provisioning/datasources:/etc/grafana/provisioning/datasources:ro",
                "../dashboards/provisioning/dashboards:/etc/grafana/provisioning/dashboards:ro");
        assertThat(containerPorts(map(services.get("grafana")), "grafana")).contains(3000);
    }

    /** Both engines write the same predictions topic: compose runs one of them, chosen by profile. */
    @Test
    void theEnginesAreAlternativeProfiles() throws Exception {
        Map<String, Object> services = services();
        assertThat(map(services.get("jobmanager")).get("profiles")).isEqualTo(List.of("flink"));
        assertThat(map(services.get("taskmanager")).get("profiles")).isEqualTo(List.of("flink"));
        assertThat(map(services.get("kstreams")).get("profiles")).isEqualTo(List.of("kstreams"));
        for (String always : List.of("kafka", "kafka-init", "prometheus", "grafana")) {
            assertThat(map(services.get(always))).as(always).doesNotContainKey("profiles");
        }
    }

    @Test
    void boundHostPathsExist() throws Exception {
        for (Map.Entry<String, Object> e : services().entrySet()) {
            Object volumes = map(e.getValue()).get("volumes");
            if (volumes == null) {
                continue;
            }
            for (Object v : list(volumes)) {
                String src = String.valueOf(v).split(":")[0];
                if (src.startsWith(".") || src.startsWith("/")) {
                    assertThat(DOCKER.resolve(src).normalize()).as(e.getKey() + " volume " + v).exists();
                }
            }
        }
    }

    /** Service name → the JobSettings properties its image carries (from the Dockerfile's COPY of docker/conf/*). */
    private static Map<String, Properties> appSettings(Map<String, Object> services) throws Exception {
        Map<String, String> imageToDockerfile = new HashMap<>();
        for (Object s : services.values()) {
            Map<String, Object> svc = map(s);
            if (svc.containsKey("build")) {
                imageToDockerfile.put(String.valueOf(svc.get("image")),
                        Path.of(String.valueOf(map(svc.get("build")).get("dockerfile"))).getFileName().toString());
            }
        }
        Map<String, Properties> out = new HashMap<>();
        for (Map.Entry<String, Object> e : services.entrySet()) {
            String dockerfile = imageToDockerfile.get(String.valueOf(map(e.getValue()).get("image")));
            if (dockerfile == null) {
                continue;
            }
            for (Map.Entry<String, String> c : copies(dockerfile).entrySet()) {
                if (c.getValue().equals("/opt/seqpredict/conf/seqpredict.properties")) {
                    out.put(e.getKey(), DeployFiles.settings(Files.readString(ROOT.resolve(c.getKey())), c.getKey()));
                }
            }
        }
        return out;
    }

    private static Map<String, String> copies(String dockerfile) throws Exception {
        Map<String, String> out = new HashMap<>();
        for (DeployFiles.Instruction i : DeployFiles.dockerfile(DOCKER.resolve(dockerfile))) {
            if (i.keyword().equals("COPY")) {
                for (String src : DeployFiles.copySources(i)) {
                    out.put(src, DeployFiles.copyTarget(i));
                }
            }
        }
        return out;
    }

    /** Container-side ports of a service: compose `ports` (host:container), `expose`, and its Dockerfile's EXPOSE. */
    private static Set<Integer> containerPorts(Map<String, Object> svc, String name) throws Exception {
        Set<Integer> ports = new TreeSet<>();
        for (String key : List.of("ports", "expose")) {
            if (svc.get(key) != null) {
                for (Object p : list(svc.get(key))) {
                    String[] parts = String.valueOf(p).split(":");
                    ports.add(Integer.parseInt(parts[parts.length - 1].replaceAll("/.*", "")));
                }
            }
        }
        String image = String.valueOf(svc.get("image"));
        for (Path f : dockerfiles()) {
            if (image.startsWith(DeployFiles.IMAGE_PREFIX + f.getFileName().toString().replace(".Dockerfile", "") + ":")) {
                for (DeployFiles.Instruction i : DeployFiles.dockerfile(f)) {
                    if (i.keyword().equals("EXPOSE")) {
                        for (String p : i.args().split("\\s+")) {
                            ports.add(Integer.parseInt(p.replaceAll("/.*", "")));
                        }
                    }
                }
            }
        }
        return ports;
    }
}
