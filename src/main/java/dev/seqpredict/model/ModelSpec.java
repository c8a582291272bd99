package dev.seqpredict.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a model is: the JSON stored under {@code __metadata__.seqpredict} in the artifact.
 *
 * <p>Required: {@code cell}, {@code input_size}, {@code hidden_size}, {@code num_layers}, {@code task},
 * {@code output_size}. Optional: {@code name}, {@code version}, {@code feature_names},
 * {@code normalization} ({@code mean}, {@code std}: input features; for regression with
 * output_size == input_size also used to de-normalize the output), {@code target_normalization}
 * (regression output when it differs from the input), {@code vocabulary} (classification: event names,
 * index = event id), {@code embedding} (classification input is an embedding row instead of one-hot),
 * {@code end_symbol} (classification: the vocabulary entry that stands for the boundary of a session, see
 * below), and free-form {@code training} and {@code evaluation} objects (provenance and metrics).
 *
 * <p>End of session ({@code end_symbol}, written only when set, so older artifacts read and write unchanged):
 * one entry of the vocabulary (the trainer appends {@link #DEFAULT_END_SYMBOL} as the last one) is the
 * session boundary. It is an output class (after every event the model says how likely the session ends
 * there) and an input id: a session is trained as inputs [END, e1, .., en] with targets [e1, .., en, END],
 * and the stream steps END from the zero state before a key's first event, so the first event is predicted
 * too. It is never a real event: {@code RecurrentModel.eventIndex} does not map it.
 *
 * <p>Regression forecasts (optional, absent = the model forecasts all its inputs, output_size == input_size):
 * {@code target}, the input features the output forecasts, in output order (0-based indices, or names from
 * {@code feature_names}; the spec stores indices), so a 5-input model may forecast 3 of them; and
 * {@code residual} ({@code true}: the head predicts the change from the last value in normalized units, so
 * the forecast is {@code x_last[target[j]] + std_j * y[j]} instead of {@code mean_j + std_j * y[j]}, with
 * std_j from {@code target_normalization} or else the input normalization of that feature; a model whose
 * head outputs 0 forecasts "no change"); {@code differenced} ({@code true}: the input is the change from the
 * key's previous event, x_t - x_{t-1}, 0 at its first event, then normalized by {@code normalization}; the
 * model keeps the previous event in its state; needs {@code residual}).
 */
public record ModelSpec(
        CellType cell,
        int inputSize,
        int hiddenSize,
        int numLayers,
        Task task,
        int outputSize,
        String name,
        String version,
        List<String> featureNames,
        Normalization normalization,
        Normalization targetNormalization,
        List<String> vocabulary,
        boolean embedding,
        JsonNode training,
        JsonNode evaluation,
        String endSymbol,
        List<Integer> target,
        boolean residual,
        boolean differenced) {

    /** Bounds that keep a hostile spec from making the loader allocate huge arrays. */
    public static final int MAX_DIM = 1 << 16;
    public static final int MAX_LAYERS = 16;

    /** Strict about duplicates: a spec with a field twice is ambiguous (parsers differ on which one wins). */
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** The end symbol the trainer appends to a sessions vocabulary. */
    public static final String DEFAULT_END_SYMBOL = "<end>";

    /** A spec without an end-of-session symbol (every spec before it existed). */
    public ModelSpec(CellType cell, int inputSize, int hiddenSize, int numLayers, Task task, int outputSize,
                     String name, String version, List<String> featureNames, Normalization normalization,
                     Normalization targetNormalization, List<String> vocabulary, boolean embedding,
                     JsonNode training, JsonNode evaluation) {
        this(cell, inputSize, hiddenSize, numLayers, task, outputSize, name, version, featureNames, normalization,
                targetNormalization, vocabulary, embedding, training, evaluation, null, null, false, false);
    }

    public ModelSpec {
        Objects.requireNonNull(cell, "cell");
        Objects.requireNonNull(task, "task");
        name = name == null || name.isBlank() ? "model" : name;
        version = version == null || version.isBlank() ? "0" : version;
        featureNames = featureNames == null ? List.of() : List.copyOf(featureNames);
        vocabulary = vocabulary == null ? List.of() : List.copyOf(vocabulary);
        target = target == null ? List.of() : List.copyOf(target);
    }

    /** The smallest spec: no names, no normalization. */
    public static ModelSpec of(CellType cell, int inputSize, int hiddenSize, int numLayers, Task task, int outputSize) {
        return new ModelSpec(cell, inputSize, hiddenSize, numLayers, task, outputSize, null, null, null, null,
                null, null, false, null, null, null, null, false, false);
    }

    public ModelSpec withName(String newName, String newVersion) {
        return new ModelSpec(cell, inputSize, hiddenSize, numLayers, task, outputSize, newName, newVersion,
                featureNames, normalization, targetNormalization, vocabulary, embedding, training, evaluation, endSymbol, target, residual, differenced);
    }

    public ModelSpec withNormalization(Normalization input, Normalization target) {
        return new ModelSpec(cell, inputSize, hiddenSize, numLayers, task, outputSize, name, version,
                featureNames, input, target, vocabulary, embedding, training, evaluation, endSymbol, this.target, residual,
                differenced);
    }

    public ModelSpec withFeatureNames(List<String> names) {
        return new ModelSpec(cell, inputSize, hiddenSize, numLayers, task, outputSize, name, version,
                names, normalization, targetNormalization, vocabulary, embedding, training, evaluation, endSymbol, target, residual, differenced);
    }

    public ModelSpec withVocabulary(List<String> vocab, boolean useEmbedding) {
        return new ModelSpec(cell, inputSize, hiddenSize, numLayers, task, outputSize, name, version,
                featureNames, normalization, targetNormalization, vocab, useEmbedding, training, evaluation, endSymbol, target, residual, differenced);
    }

    public ModelSpec withProvenance(JsonNode newTraining, JsonNode newEvaluation) {
        return new ModelSpec(cell, inputSize, hiddenSize, numLayers, task, outputSize, name, version,
                featureNames, normalization, targetNormalization, vocabulary, embedding, newTraining, newEvaluation, endSymbol,
                target, residual, differenced);
    }

    /** The same spec with {@code symbol} (an entry of the vocabulary) as the end of session, or none for null. */
    public ModelSpec withEndSymbol(String symbol) {
        return new ModelSpec(cell, inputSize, hiddenSize, numLayers, task, outputSize, name, version,
                featureNames, normalization, targetNormalization, vocabulary, embedding, training, evaluation, symbol, target, residual,
                differenced);
    }

    /** The vocabulary index of the end symbol, or -1 when the model has none. */
    public int endIndex() {
        return endSymbol == null ? -1 : vocabulary.indexOf(endSymbol);
    }

    /** The same spec with a target list (input indices the output forecasts; empty = none) and output form. */
    public ModelSpec withForecast(List<Integer> newTarget, boolean newResidual) {
        return new ModelSpec(cell, inputSize, hiddenSize, numLayers, task, outputSize, name, version,
                featureNames, normalization, targetNormalization, vocabulary, embedding, training, evaluation, endSymbol,
                newTarget, newResidual, differenced);
    }

    /**
     * The same spec with differenced input: the model sees each event's change from the key's previous event
     * (0 at its first), normalized by {@code normalization}; needs the residual output.
     */
    public ModelSpec withDifferencedInput(boolean d) {
        return new ModelSpec(cell, inputSize, hiddenSize, numLayers, task, outputSize, name, version,
                featureNames, normalization, targetNormalization, vocabulary, embedding, training, evaluation, endSymbol,
                target, residual, d);
    }

    /**
     * The input feature each output forecasts (regression): the declared {@code target}, or 0..n-1 when
     * output_size == input_size; null when the output is not a forecast of inputs (no target and
     * output_size != input_size), or for classification.
     */
    public int[] targetIndices() {
        if (task != Task.REGRESSION) {
            return null;
        }
        if (!target.isEmpty()) {
            return target.stream().mapToInt(Integer::intValue).toArray();
        }
        if (outputSize != inputSize) {
            return null;
        }
        int[] t = new int[outputSize];
        for (int i = 0; i < t.length; i++) {
            t[i] = i;
        }
        return t;
    }

    /** Size of the vocabulary of event ids for classification (= output_size). */
    public int vocabularySize() {
        return task == Task.CLASSIFICATION ? outputSize : 0;
    }

    /** The normalization that turns the head's output back into feature units (regression), or null. */
    public Normalization outputNormalization() {
        if (task != Task.REGRESSION) {
            return null;
        }
        if (targetNormalization != null) {
            return targetNormalization;
        }
        if (normalization == null) {
            return null;
        }
        if (!target.isEmpty()) { // the input normalization of the forecast features
            float[] m = new float[target.size()];
            float[] sd = new float[target.size()];
            for (int j = 0; j < m.length; j++) {
                m[j] = normalization.mean(target.get(j));
                sd[j] = normalization.std(target.get(j));
            }
            return new Normalization(m, sd);
        }
        return outputSize == inputSize ? normalization : null;
    }

    /** Checks the spec on its own (the tensors are checked against it by the loader). */
    public void validate() throws ModelFormatException {
        checkDim("input_size", inputSize);
        checkDim("hidden_size", hiddenSize);
        checkDim("output_size", outputSize);
        if (numLayers < 1 || numLayers > MAX_LAYERS) {
            throw new ModelFormatException("num_layers must be in 1.." + MAX_LAYERS + ", got " + numLayers);
        }
        if (!featureNames.isEmpty() && featureNames.size() != inputSize && task == Task.REGRESSION) {
            throw new ModelFormatException("feature_names has " + featureNames.size()
                    + " names but input_size is " + inputSize);
        }
        if (normalization != null && normalization.size() != inputSize) {
            throw new ModelFormatException("normalization has " + normalization.size()
                    + " features but input_size is " + inputSize);
        }
        if (targetNormalization != null && targetNormalization.size() != outputSize) {
            throw new ModelFormatException("target_normalization has " + targetNormalization.size()
                    + " entries but output_size is " + outputSize);
        }
        if (task == Task.CLASSIFICATION) {
            if (normalization != null) {
                throw new ModelFormatException("normalization is not allowed for classification (the input is an event id)");
            }
            if (!vocabulary.isEmpty() && vocabulary.size() != outputSize) {
                throw new ModelFormatException("vocabulary has " + vocabulary.size()
                        + " entries but output_size is " + outputSize);
            }
            if (vocabulary.stream().distinct().count() != vocabulary.size()) {
                throw new ModelFormatException("vocabulary has duplicate entries");
            }
            if (endSymbol != null && !vocabulary.contains(endSymbol)) {
                throw new ModelFormatException("end_symbol '" + endSymbol + "' is not an entry of the vocabulary");
            }
            if (!embedding && inputSize != outputSize) {
                throw new ModelFormatException("classification with one-hot input needs input_size == output_size "
                        + "(the vocabulary size), got " + inputSize + " and " + outputSize);
            }
        } else if (embedding) {
            throw new ModelFormatException("embedding input is only for classification");
        } else if (endSymbol != null) {
            throw new ModelFormatException("end_symbol is only for classification");
        }
        if (!target.isEmpty()) {
            if (task != Task.REGRESSION) {
                throw new ModelFormatException("target is only for regression (a classification model forecasts the next event id)");
            }
            if (target.size() != outputSize) {
                throw new ModelFormatException("target lists " + target.size() + " features but output_size is " + outputSize);
            }
            for (int i : target) {
                if (i < 0 || i >= inputSize) {
                    throw new ModelFormatException("target feature " + i + " is not an input (input_size " + inputSize + ")");
                }
            }
        }
        if (differenced && !residual) {
            throw new ModelFormatException("differenced input needs the residual output (the level comes from the last value)");
        }
        if (residual) {
            if (task != Task.REGRESSION) {
                throw new ModelFormatException("residual output is only for regression");
            }
            if (targetIndices() == null) {
                throw new ModelFormatException("residual output needs outputs that are inputs: output_size " + outputSize
                        + " != input_size " + inputSize + " and no 'target' list");
            }
        }
    }

    private static void checkDim(String field, int v) throws ModelFormatException {
        if (v < 1 || v > MAX_DIM) {
            throw new ModelFormatException(field + " must be in 1.." + MAX_DIM + ", got " + v);
        }
    }

    // ---- JSON --------------------------------------------------------------------------------

    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("cell", cell.id());
        o.put("input_size", inputSize);
        o.put("hidden_size", hiddenSize);
        o.put("num_layers", numLayers);
        o.put("task", task.id());
        o.put("output_size", outputSize);
        o.put("name", name);
        o.put("version", version);
        if (!featureNames.isEmpty()) {
            ArrayNode a = o.putArray("feature_names");
            featureNames.forEach(a::add);
        }
        if (normalization != null) {
            o.set("normalization", normalizationJson(normalization));
        }
        if (targetNormalization != null) {
            o.set("target_normalization", normalizationJson(targetNormalization));
        }
        if (!vocabulary.isEmpty()) {
            ArrayNode a = o.putArray("vocabulary");
            vocabulary.forEach(a::add);
        }
        if (embedding) {
            o.put("embedding", true);
        }
        if (endSymbol != null) {
            o.put("end_symbol", endSymbol);
        }
        if (!target.isEmpty()) {
            ArrayNode a = o.putArray("target");
            target.forEach(a::add);
        }
        if (residual) {
            o.put("residual", true);
        }
        if (differenced) {
            o.put("differenced", true);
        }
        if (training != null) {
            o.set("training", training);
        }
        if (evaluation != null) {
            o.set("evaluation", evaluation);
        }
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode normalizationJson(Normalization n) {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode m = o.putArray("mean");
        ArrayNode s = o.putArray("std");
        for (int i = 0; i < n.size(); i++) {
            m.add(n.mean(i));
            s.add(n.std(i));
        }
        return o;
    }

    /** Parses and validates the spec JSON; every failure names the field. */
    public static ModelSpec fromJson(String json) throws ModelFormatException {
        JsonNode o;
        try {
            o = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ModelFormatException("the seqpredict metadata is not valid JSON: " + e.getOriginalMessage());
        }
        if (o == null || !o.isObject()) {
            throw new ModelFormatException("the seqpredict metadata must be a JSON object");
        }
        CellType cell;
        Task task;
        try {
            cell = CellType.fromId(requiredText(o, "cell"));
            task = Task.fromId(requiredText(o, "task"));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(e.getMessage());
        }
        Normalization norm;
        Normalization target;
        try {
            norm = normalization(o, "normalization");
            target = normalization(o, "target_normalization");
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(e.getMessage());
        }
        List<String> featureNames = stringList(o, "feature_names");
        JsonNode residual = o.get("residual");
        JsonNode differenced = o.get("differenced");
        for (String field : new String[] {"residual", "differenced"}) {
            JsonNode v = o.get(field);
            if (v != null && !v.isNull() && !v.isBoolean()) {
                throw new ModelFormatException("spec field '" + field + "' must be true or false");
            }
        }
        ModelSpec spec = new ModelSpec(cell,
                requiredInt(o, "input_size"), requiredInt(o, "hidden_size"), requiredInt(o, "num_layers"),
                task, requiredInt(o, "output_size"),
                optionalText(o, "name"), optionalText(o, "version"),
                featureNames, norm, target, stringList(o, "vocabulary"),
                o.path("embedding").asBoolean(false),
                o.hasNonNull("training") ? o.get("training") : null,
                o.hasNonNull("evaluation") ? o.get("evaluation") : null,
                optionalText(o, "end_symbol"),
                targetList(o, featureNames), residual != null && residual.asBoolean(false),
                differenced != null && differenced.asBoolean(false));
        spec.validate();
        return spec;
    }

    private static String requiredText(JsonNode o, String field) throws ModelFormatException {
        JsonNode v = o.get(field);
        if (v == null || !v.isTextual()) {
            throw new ModelFormatException("spec field '" + field + "' is missing or not a string");
        }
        return v.asText();
    }

    private static String optionalText(JsonNode o, String field) throws ModelFormatException {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() && !v.isNumber()) {
            throw new ModelFormatException("spec field '" + field + "' must be a string");
        }
        return v.asText();
    }

    private static int requiredInt(JsonNode o, String field) throws ModelFormatException {
        JsonNode v = o.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new ModelFormatException("spec field '" + field + "' is missing or not an integer");
        }
        return v.intValue();
    }

    private static List<String> stringList(JsonNode o, String field) throws ModelFormatException {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray() || v.size() > MAX_DIM) {
            throw new ModelFormatException("spec field '" + field + "' must be an array of at most " + MAX_DIM + " strings");
        }
        List<String> out = new ArrayList<>(v.size());
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw new ModelFormatException("spec field '" + field + "' must contain only strings");
            }
            out.add(e.asText());
        }
        return out;
    }

    /** {@code target}: input indices or feature names (resolved against {@code feature_names}). */
    private static List<Integer> targetList(JsonNode o, List<String> featureNames) throws ModelFormatException {
        JsonNode v = o.get("target");
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray() || v.isEmpty() || v.size() > MAX_DIM) {
            throw new ModelFormatException("spec field 'target' must be a non-empty array of input indices or feature names");
        }
        List<Integer> out = new ArrayList<>(v.size());
        for (JsonNode e : v) {
            if (e.isIntegralNumber() && e.canConvertToInt()) {
                out.add(e.intValue());
            } else if (e.isTextual()) {
                int i = featureNames.indexOf(e.asText());
                if (i < 0) {
                    throw new ModelFormatException("target feature '" + e.asText() + "' is not in feature_names " + featureNames);
                }
                out.add(i);
            } else {
                throw new ModelFormatException("spec field 'target' must contain input indices or feature names, got " + e);
            }
        }
        if (out.stream().distinct().count() != out.size()) {
            throw new ModelFormatException("spec field 'target' lists a feature twice: " + out);
        }
        return out;
    }

    private static Normalization normalization(JsonNode o, String field) throws ModelFormatException {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        return new Normalization(floats(v, field + ".mean", "mean"), floats(v, field + ".std", "std"));
    }

    private static float[] floats(JsonNode parent, String label, String field) throws ModelFormatException {
        JsonNode v = parent.get(field);
        if (v == null || !v.isArray() || v.size() > MAX_DIM) {
            throw new ModelFormatException("spec field '" + label + "' must be an array of numbers");
        }
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = v.get(i);
            if (!e.isNumber()) {
                throw new ModelFormatException("spec field '" + label + "' must contain only numbers");
            }
            out[i] = e.floatValue();
        }
        return out;
    }
}
