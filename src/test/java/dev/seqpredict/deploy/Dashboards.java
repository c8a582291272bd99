package dev.seqpredict.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Reads the Grafana dashboards of {@code dashboards/} and lists every PromQL query in them. */
final class Dashboards {

    static final Path DIR = Path.of("dashboards");
    static final ObjectMapper JSON = new ObjectMapper();

    /** Grafana's built-in and template variables, as a test evaluates them (all values selected). */
    static final Map<String, String> VARIABLES = new LinkedHashMap<>();

    static {
        VARIABLES.put("$__rate_interval", "1m");
        VARIABLES.put("$__interval", "15s");
        VARIABLES.put("$__range", "5m");
        VARIABLES.put("$engine", ".*");
        VARIABLES.put("$model", ".*");
    }

    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*(\\w+)\\)");
    private static final Pattern METRIC = Pattern.compile("\\b(seqpredict_[a-z0-9_]+)\\b");

    /** One query: where it is (dashboard / panel / target) and its PromQL with the variables substituted. */
    record Query(String where, String raw, String promql) {
        @Override
        public String toString() {
            return where;
        }
    }

    private Dashboards() {
    }

    static List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(DIR)) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
    }

    /** The dashboard of Flink's own metrics (its reporter's names, not seqpredict's): tested against a running job. */
    static final String FLINK = "seqpredict-flink.json";

    /** The queries of the dashboards on seqpredict's own metrics (every dashboard but {@link #FLINK}). */
    static List<Query> queries() throws IOException {
        List<Query> all = new ArrayList<>();
        for (Path f : files()) {
            if (!f.getFileName().toString().equals(FLINK)) {
                all.addAll(queries(f.getFileName().toString(), JSON.readTree(f.toFile())));
            }
        }
        return all;
    }

    /** The queries of the {@link #FLINK} dashboard. */
    static List<Query> flinkQueries() throws IOException {
        return queries(FLINK, JSON.readTree(DIR.resolve(FLINK).toFile()));
    }

    /** Panel targets (rows' nested panels too), template variable queries and annotation queries. */
    static List<Query> queries(String name, JsonNode dashboard) {
        List<Query> out = new ArrayList<>();
        String title = dashboard.path("title").asText(name);
        collectPanels(title, dashboard.path("panels"), out);
        for (JsonNode v : dashboard.path("templating").path("list")) {
            if (!"query".equals(v.path("type").asText())) {
                continue;
            }
            String q = v.path("query").isObject() ? v.path("query").path("query").asText() : v.path("query").asText();
            Matcher m = LABEL_VALUES.matcher(q.trim());
            // label_values(metric, label) lists the label's values of that metric's series
            String promql = m.matches() ? m.group(1) : q;
            out.add(new Query(title + " / variable $" + v.path("name").asText(), q, substitute(promql)));
        }
        for (JsonNode a : dashboard.path("annotations").path("list")) {
            if (a.hasNonNull("expr")) {
                out.add(new Query(title + " / annotation " + a.path("name").asText(), a.path("expr").asText(),
                        substitute(a.path("expr").asText())));
            }
        }
        return out;
    }

    private static void collectPanels(String title, JsonNode panels, List<Query> out) {
        for (JsonNode p : panels) {
            collectPanels(title, p.path("panels"), out);
            for (JsonNode t : p.path("targets")) {
                if (t.hasNonNull("expr")) {
                    out.add(new Query(title + " / " + p.path("title").asText() + " / " + t.path("refId").asText(),
                            t.path("expr").asText(), substitute(t.path("expr").asText())));
                }
            }
        }
    }

    static String substitute(String expr) {
        String s = expr;
        for (Map.Entry<String, String> e : VARIABLES.entrySet()) {
            s = s.replace(e.getKey(), e.getValue());
        }
        if (s.contains("$")) {
            throw new IllegalArgumentException("unknown Grafana variable in: " + expr);
        }
        return s;
    }

    /** The seqpredict_* names a query refers to. */
    static TreeSet<String> metricNames(String promql) {
        TreeSet<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(promql);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
