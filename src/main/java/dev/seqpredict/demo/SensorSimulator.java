package dev.seqpredict.demo;

import java.util.Random;

/**
 * Realistic keyed sensor streams for the demo: each sensor is a daily cycle plus a slow trend plus noise,
 * with a few injected faults (spikes and stuck readings) and, from {@code regimeChangeStep} on, a regime
 * change (the cycle's shape and level shift), so that a model retrained on recent data is measurably
 * better than the initial one. Deterministic for a given seed: reading step t of sensor i always gives
 * the same value, in any order.
 */
public final class SensorSimulator {

    /** Steps per simulated day. */
    public static final int DAY = 96;

    private final long seed;
    private final int sensors;
    private final int regimeChangeStep;
    private final double faultRate;
    private final int faultsFrom;

    public SensorSimulator(long seed, int sensors, int regimeChangeStep, double faultRate) {
        this(seed, sensors, regimeChangeStep, faultRate, 0);
    }

    /**
     * @param faultsFrom the first step that may carry a fault: a stream's first readings are what a detector
     *                   learns "normal" from, so a fault there says nothing about the detector
     */
    public SensorSimulator(long seed, int sensors, int regimeChangeStep, double faultRate, int faultsFrom) {
        if (sensors < 1) {
            throw new IllegalArgumentException("need at least one sensor");
        }
        this.seed = seed;
        this.sensors = sensors;
        this.regimeChangeStep = regimeChangeStep;
        this.faultRate = faultRate;
        this.faultsFrom = faultsFrom;
    }

    public int sensors() {
        return sensors;
    }

    public int regimeChangeStep() {
        return regimeChangeStep;
    }

    public static String key(int sensor) {
        return String.format("sensor-%04d", sensor);
    }

    /** One reading, and whether it was an injected fault. */
    public record Reading(String key, int step, float value, boolean fault) {
    }

    public Reading reading(int sensor, int step) {
        Random p = new Random(seed * 1_000_003L + sensor); // the sensor's fixed character
        double level = 20 + 60 * p.nextDouble();
        double amplitude = 2 + 8 * p.nextDouble();
        double phase = 2 * Math.PI * p.nextDouble();
        double trend = (p.nextDouble() - 0.5) * 0.01;
        double noise = 0.2 + 0.4 * p.nextDouble();
        boolean afterChange = step >= regimeChangeStep;
        double t = 2 * Math.PI * step / DAY + phase;
        double cycle = afterChange
                // new regime: a sharper, faster cycle with a second harmonic, and a level shift
                ? 1.6 * amplitude * Math.sin(1.5 * t) + 0.5 * amplitude * Math.sin(3 * t) + amplitude
                : amplitude * Math.sin(t);
        Random n = new Random(seed ^ (sensor * 0x9E3779B97F4A7C15L) ^ (step * 0xC2B2AE3D27D4EB4FL));
        double value = level + trend * step + cycle + noise * n.nextGaussian();
        boolean fault = false;
        if (n.nextDouble() < faultRate && step >= faultsFrom) {
            fault = true;
            value += (n.nextBoolean() ? 1 : -1) * (6 + 6 * n.nextDouble()) * amplitude; // spike
        }
        return new Reading(key(sensor), step, (float) value, fault);
    }
}
