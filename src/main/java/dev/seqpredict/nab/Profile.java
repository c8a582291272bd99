package dev.seqpredict.nab;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * NAB's three application profiles (NAB {@code config/profiles.json}): the weights of a true positive,
 * a false positive and a false negative. True negatives are not scored (NAB's {@code tnWeight} is unused
 * by its scorer).
 */
public enum Profile {
    /** {@code standard}: TP 1.0, FP 0.11, FN 1.0. */
    STANDARD("standard", 1.0, 0.11, 1.0),
    /** {@code reward_low_FP_rate}: TP 1.0, FP 0.22, FN 1.0. */
    REWARD_LOW_FP_RATE("reward_low_FP_rate", 1.0, 0.22, 1.0),
    /** {@code reward_low_FN_rate}: TP 1.0, FP 0.11, FN 2.0. */
    REWARD_LOW_FN_RATE("reward_low_FN_rate", 1.0, 0.11, 2.0);

    private final String nabName;
    private final double tpWeight;
    private final double fpWeight;
    private final double fnWeight;

    Profile(String nabName, double tpWeight, double fpWeight, double fnWeight) {
        this.nabName = nabName;
        this.tpWeight = tpWeight;
        this.fpWeight = fpWeight;
        this.fnWeight = fnWeight;
    }

    /** The profile's name in NAB (e.g. {@code reward_low_FP_rate}). */
    public String nabName() {
        return nabName;
    }

    public double tpWeight() {
        return tpWeight;
    }

    /** Positive magnitude; a false positive costs up to this much. */
    public double fpWeight() {
        return fpWeight;
    }

    /** Positive magnitude; a missed window costs exactly this much. */
    public double fnWeight() {
        return fnWeight;
    }

    /** Parses NAB's name or the enum constant name, case-insensitively (also with '-' for '_'). */
    public static Profile fromName(String name) {
        String n = name.trim().replace('-', '_');
        for (Profile p : values()) {
            if (p.nabName.equalsIgnoreCase(n) || p.name().equalsIgnoreCase(n)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown NAB profile '" + name + "'; expected one of "
                + Arrays.stream(values()).map(Profile::nabName).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return nabName;
    }
}
