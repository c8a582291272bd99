package dev.seqpredict.cli;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.seqpredict.model.ModelSpec;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Task;
import dev.seqpredict.processor.Event;
import dev.seqpredict.processor.KeyState;
import dev.seqpredict.processor.KeyedPredictor;
import dev.seqpredict.processor.Outcome;
import dev.seqpredict.processor.PredictorConfig;
import dev.seqpredict.processor.ServingModel;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Run a model event by event over a CSV, one recurrent state per key.",
                "Input header: key,ts,<features...> (classification models: key,ts,event).",
                "Output: key,ts,y0..y{m-1} = the model's output after that row (forecast of the next values,"
                        + " or the probabilities of the next event id). Bad rows go to stderr with their line"
                        + " number and are skipped."})
final class PredictCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "Model artifact (.safetensors).")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "CSV", description = "Input CSV.")
    Path input;

    @Option(names = "--output", paramLabel = "CSV", description = "Output CSV (default: standard output).")
    Path output;

    @Override
    public Integer call() throws IOException {
        RecurrentModel m = Models.load(model);
        if (!Files.isRegularFile(input)) {
            throw new CliException("input file not found: " + input);
        }
        PrintWriter err = spec.commandLine().getErr();
        ModelSpec s = m.spec();
        boolean classification = s.task() == Task.CLASSIFICATION;
        int features = classification ? 1 : s.inputSize();
        if (!classification && !m.forecastsInputs()) {
            throw new CliException("model " + model + " cannot be run on events: its " + s.outputSize()
                    + " outputs forecast none of its " + s.inputSize() + " inputs (output_size != input_size and no 'target' list"
                    + " in its spec)");
        }
        CsvMapper csv = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY);
        // The same per-key processing as the streaming jobs (no swaps happen here: one model).
        ServingModel serving = ServingModel.of(s.name(), m);
        KeyedPredictor predictor = new KeyedPredictor(PredictorConfig.DEFAULTS);
        Map<String, KeyState> states = new HashMap<>();
        float[] x = new float[s.inputSize()];
        long good = 0;
        long bad = 0;
        try (Reader reader = Files.newBufferedReader(input, StandardCharsets.UTF_8);
             MappingIterator<String[]> rows = csv.readerFor(String[].class).readValues(reader);
             Writer out = output == null
                     ? new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8))
                     : Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
            if (!rows.hasNextValue()) {
                throw new CliException("input " + input + " is empty: expected a header key,ts,...");
            }
            String[] header = rows.nextValue();
            checkHeader(header, classification, features);
            StringBuilder h = new StringBuilder("key,ts");
            for (int i = 0; i < s.outputSize(); i++) {
                h.append(",y").append(i);
            }
            out.write(h.append('\n').toString());
            StringBuilder line = new StringBuilder(64);
            while (true) {
                String[] row;
                long lineNr;
                try {
                    if (!rows.hasNextValue()) {
                        break;
                    }
                    lineNr = rows.getCurrentLocation().getLineNr();
                    row = rows.nextValue();
                } catch (RuntimeException e) {
                    throw new CliException("input " + input + " is not valid CSV near line "
                            + rows.getCurrentLocation().getLineNr() + ": " + e.getMessage());
                }
                String problem = row.length != 2 + features
                        ? "expected " + (2 + features) + " columns, found " + row.length : null;
                if (problem == null && row[0].isBlank()) {
                    problem = "empty key";
                }
                long ts = 0;
                if (problem == null) {
                    try {
                        ts = Long.parseLong(row[1].trim());
                    } catch (NumberFormatException e) {
                        ts = lineNr; // ts is carried through as text; the row number orders events
                    }
                }
                Event event = null;
                if (problem == null && classification) {
                    event = Event.log(row[0], ts, row[2].trim());
                } else if (problem == null) {
                    problem = parseFeatures(row, x);
                    event = Event.sensor(row[0], ts, x.clone());
                }
                Outcome outcome = problem == null ? predictor.process(states.get(row[0]), event, serving) : null;
                if (outcome instanceof Outcome.Rejected r) {
                    problem = r.rejection().toString();
                }
                if (problem != null) {
                    bad++;
                    err.printf("%s:%d: skipped: %s%n", input, lineNr, problem);
                    continue;
                }
                KeyState state = ((Outcome.Predicted) outcome).state();
                states.put(row[0], state);
                good++;
                line.setLength(0);
                line.append(row[0]).append(',').append(row[1]);
                for (float v : state.lastPrediction()) {
                    line.append(',').append(v);
                }
                out.write(line.append('\n').toString());
            }
        }
        err.printf(Locale.ROOT, "predict: %d rows, %d keys, %d skipped%n", good, states.size(), bad);
        err.flush();
        return 0;
    }

    private void checkHeader(String[] header, boolean classification, int features) {
        if (header.length < 3 || !header[0].trim().equals("key") || !header[1].trim().equals("ts")) {
            throw new CliException("input " + input + ": header must start with key,ts (got "
                    + String.join(",", header) + ")");
        }
        if (classification && (header.length != 3 || !header[2].trim().equals("event"))) {
            throw new CliException("input " + input + ": a classification model needs the header key,ts,event");
        }
        if (!classification && header.length != 2 + features) {
            throw new CliException("input " + input + " has " + (header.length - 2) + " feature columns but the model takes "
                    + features);
        }
    }

    private static String parseFeatures(String[] row, float[] x) {
        for (int i = 0; i < x.length; i++) {
            String v = row[2 + i].trim();
            float f;
            try {
                f = Float.parseFloat(v);
            } catch (NumberFormatException e) {
                return "column " + (3 + i) + " is not a number: '" + v + "'";
            }
            if (!Float.isFinite(f)) {
                return "column " + (3 + i) + " is not finite: '" + v + "'";
            }
            x[i] = f;
        }
        return null;
    }
}
