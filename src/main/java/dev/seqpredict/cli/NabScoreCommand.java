package dev.seqpredict.cli;

import dev.seqpredict.nab.NabReport;
import dev.seqpredict.nab.NabResult;
import dev.seqpredict.nab.NabScorer;
import dev.seqpredict.nab.Profile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "nab-score", mixinStandardHelpOptions = true,
        description = {"Score NAB result files (<results>/<detector>/<category>/<detector>_<name>.csv,",
                "columns timestamp,...,anomaly_score) against NAB label windows, as NAB v1.1 does:",
                "probationary period, scaled-sigmoid window scoring, one corpus threshold swept over",
                "every distinct anomaly score, score normalized so never-firing = 0 and perfect = 100."})
final class NabScoreCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--results", required = true, paramLabel = "DIR", description = "Results directory (holds <detector>/).")
    Path results;

    @Option(names = "--detector", required = true, paramLabel = "NAME", description = "Detector name.")
    String detector;

    @Option(names = "--labels", required = true, paramLabel = "FILE", description = "NAB combined_windows.json.")
    Path labels;

    @Option(names = "--profile", defaultValue = "all", paramLabel = "NAME",
            description = "standard, reward_low_FP_rate, reward_low_FN_rate or all (default: ${DEFAULT-VALUE}).")
    String profile;

    @Option(names = "--per-file", description = "Also print each file's raw score and detections.")
    boolean perFile;

    @Override
    public Integer call() {
        List<Profile> profiles;
        try {
            profiles = profile.equalsIgnoreCase("all") ? List.of(Profile.values()) : List.of(Profile.fromName(profile));
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), 2);
        }
        PrintWriter out = spec.commandLine().getOut();
        try {
            Map<Profile, NabResult> all = NabScorer.scoreAllProfiles(results, detector, labels);
            for (Profile p : profiles) {
                out.print(NabReport.format(all.get(p), perFile));
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new CliException(e.getMessage(), e);
        }
        out.flush();
        return 0;
    }
}
