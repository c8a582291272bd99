package dev.seqpredict.cli;

import dev.seqpredict.train.AbnormalSessions;
import dev.seqpredict.train.DataException;
import dev.seqpredict.train.Series;
import dev.seqpredict.train.SeriesReaders;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "abnormal-sessions", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Build plausible abnormal sessions from normal ones (to measure a detector's recall): for each "
                + "input session and each kind, one mutant -- missing (a step removed), repeated (a step doubled), "
                + "out_of_order (two adjacent different steps swapped), unseen (an id absent from the normal data "
                + "inserted), truncated (only the first k steps, 1 <= k < n: the log stops early) -- that differs from every known normal session. Deterministic for a seed.",
                "Writes <out>/abnormal_<kind>.txt, one session per line."})
final class AbnormalSessionsCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--sessions", required = true, paramLabel = "FILE", description = "Normal sessions to mutate.")
    Path sessions;

    @Option(names = "--normal", paramLabel = "FILE",
            description = "All known normal sessions; mutants equal to one are discarded (default: --sessions).")
    List<Path> normal = new ArrayList<>();

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    Path out;

    @Option(names = "--seed", defaultValue = "7", description = "Seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws IOException {
        PrintWriter console = spec.commandLine().getOut();
        List<String[]> input;
        List<String[]> known = new ArrayList<>();
        try {
            input = SeriesReaders.sessions(sessions).series().stream().map(Series::events).toList();
            known.addAll(input);
            for (Path p : normal) {
                SeriesReaders.sessions(p).series().forEach(s -> known.add(s.events()));
            }
        } catch (DataException e) {
            throw new CliException(e.getMessage());
        }
        AbnormalSessions gen = new AbnormalSessions(known, null, seed);
        Files.createDirectories(out);
        for (AbnormalSessions.Kind kind : AbnormalSessions.Kind.values()) {
            List<String[]> mutants = gen.mutateAll(input, kind);
            Path f = out.resolve("abnormal_" + kind.id() + ".txt");
            try (BufferedWriter w = Files.newBufferedWriter(f, StandardCharsets.UTF_8)) {
                for (String[] m : mutants) {
                    w.write(String.join(" ", m));
                    w.write('\n');
                }
            }
            console.printf("%-13s %5d of %d sessions -> %s%n", kind.id(), mutants.size(), input.size(), f);
        }
        console.printf("unseen ids inserted from %s%n", gen.unseenIds());
        console.flush();
        return 0;
    }
}
