package dev.seqpredict.cli;

import dev.seqpredict.model.ModelSpec;
import dev.seqpredict.model.RecurrentModel;
import dev.seqpredict.model.Tensor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show a model artifact's spec, parameter count, tensor shapes and SHA-256.")
final class InspectCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "Model artifact (.safetensors).")
    Path model;

    @Override
    public Integer call() {
        RecurrentModel m = Models.load(model);
        ModelSpec s = m.spec();
        PrintWriter out = spec.commandLine().getOut();
        out.printf("model       %s (version %s)%n", s.name(), s.version());
        out.printf("cell        %s, %d layer(s), input %d, hidden %d%n", s.cell(), s.numLayers(), s.inputSize(), s.hiddenSize());
        out.printf("task        %s, output %d%n", s.task(), s.outputSize());
        if (!s.featureNames().isEmpty()) {
            out.printf("features    %s%n", String.join(", ", s.featureNames()));
        }
        if (!s.vocabulary().isEmpty()) {
            out.printf("vocabulary  %d event ids%s%n", s.vocabulary().size(), s.embedding() ? " (embedding input)" : " (one-hot input)");
        }
        out.printf("normalized  %s%n", s.normalization() != null ? "yes (mean/std per feature)" : "no");
        if (s.task() == dev.seqpredict.model.Task.REGRESSION) {
            int[] target = s.targetIndices();
            out.printf("forecast    %s%s%s%n", target == null ? "no input features (output_size != input_size, no target)"
                            : "features " + java.util.Arrays.toString(target),
                    s.residual() ? ", residual (last value + std * output)" : "",
                    s.differenced() ? ", differenced input (change from the previous event)" : "");
        }
        out.printf("parameters  %d%n", m.parameterCount());
        out.printf("state       %d floats per key%n", m.stateSize());
        out.printf("sha256      %s%n", m.sha256());
        out.printf("kernel      %s%n", m.kernelName());
        out.println("tensors");
        for (Tensor t : m.tensors()) {
            out.printf("  %-22s %s%n", t.name(), t.shapeString());
        }
        if (s.training() != null) {
            out.printf("training    %s%n", s.training());
        }
        if (s.evaluation() != null) {
            out.printf("evaluation  %s%n", s.evaluation());
        }
        return 0;
    }
}
