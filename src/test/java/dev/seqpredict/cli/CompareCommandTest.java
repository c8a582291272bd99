package dev.seqpredict.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The command's surface; the lab itself is exercised by dev.seqpredict.lab.CompareLabTest. */
class CompareCommandTest {

    @Test
    void helpListsTheOptions() {
        CliRun r = CliRun.of("compare", "--help");
        assertEquals(0, r.exitCode(), r.err());
        for (String opt : new String[] {"--quick", "--out", "--seed", "--series"}) {
            assertTrue(r.out().contains(opt), r.out());
        }
    }

    @Test
    void aMissingSeriesFileIsAUserError() {
        CliRun r = CliRun.of("compare", "--quick", "--series", "does/not/exist.csv");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("no such file"), r.err());
    }
}
