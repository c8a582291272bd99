package dev.seqpredict.processor;

/**
 * Everything the stream keeps for one key between its events: the recurrent state of the model that
 * made it, which model that was, the event count, the last prediction (to score the next event), the
 * running error statistics behind the anomaly score, and the last W inputs for a rewarm.
 *
 * <p>Mutable, owned by one key; engines store it through {@link KeyStateCodec}. Only
 * {@link KeyedPredictor} changes it, and only after an event has passed every check.
 */
public final class KeyState {
    // which model the recurrent state belongs to
    String modelName = "";
    String modelVersion = "";
    long modelFingerprint;      // 0 = no model yet
    long inputSignature;        // meaning of the buffered inputs
    long events;
    long lastTs;
    float[] recurrent = new float[0];
    float[] lastPrediction;     // null until the first prediction, or after a swap that changed its shape

    // anomaly statistics (see AnomalyStats)
    long errorCount;
    double shortMean;
    double longMean;
    double longVar;
    float lastError = Float.NaN;
    float lastScore;
    long lastAlarm = -1;        // events count at the key's last alarm (sensor streams), -1 = none

    // sensor score (see SensorScore): null / -1 until the key's first scored sensor event
    SurpriseStats forecastStats;
    SurpriseStats seasonStats;
    float[] seenMin;
    float[] seenMax;
    int seasonLag = -1;         // events per season: -1 = not known yet, 0 = no season comparison
    int seasonCycles = 1;       // seasons the ring holds
    float[] season;             // the last seasonLag × seasonCycles values (width floats each), oldest at seasonHead when full
    int seasonFill;
    int seasonHead;
    float[] lastValues;         // the key's previous values (the forecast's features), for the spike rule's change
    long changeCount;           // changes folded into changeScale
    double changeScale;         // typical size of a change from one value to the next (RMSE over the features)

    // forecast blend (see ForecastBlend): null until the key's first sensor forecast with blending on
    ForecastBlend blend;

    // rewarm ring: the last `fill` inputs (width floats each), oldest at (head - fill) mod capacity
    float[] ring = new float[0];
    int ringWidth;
    int ringFill;
    int ringHead;

    public String modelName() {
        return modelName;
    }

    public String modelVersion() {
        return modelVersion;
    }

    public long modelFingerprint() {
        return modelFingerprint;
    }

    public long events() {
        return events;
    }

    public long lastTs() {
        return lastTs;
    }

    public float lastError() {
        return lastError;
    }

    public float lastScore() {
        return lastScore;
    }

    /** A copy of the recurrent state (see the model's StateLayout). */
    public float[] recurrentState() {
        return recurrent.clone();
    }

    /** A copy of the last prediction, or null. */
    public float[] lastPrediction() {
        return lastPrediction == null ? null : lastPrediction.clone();
    }

    public int bufferedInputs() {
        return ringFill;
    }

    /** Floats this state holds (recurrent state, last prediction, rewarm buffer, the sensor score's history). */
    public int floatCount() {
        return recurrent.length + (lastPrediction == null ? 0 : lastPrediction.length) + ring.length
                + (seenMin == null ? 0 : 3 * seenMin.length) + (season == null ? 0 : season.length)
                + (blend == null ? 0 : 2 * blend.width() + 2 * blend.err.length);
    }

    void pushInput(float[] values, int width, int capacity) {
        if (capacity == 0) {
            return;
        }
        if (ring.length != capacity * width || ringWidth != width) {
            ring = new float[capacity * width];
            ringWidth = width;
            ringFill = 0;
            ringHead = 0;
        }
        System.arraycopy(values, 0, ring, ringHead * width, width);
        ringHead = (ringHead + 1) % capacity;
        ringFill = Math.min(ringFill + 1, capacity);
    }

    /** Copies the i-th oldest buffered input into {@code out}. */
    void bufferedInput(int i, float[] out) {
        int capacity = ring.length / ringWidth;
        int slot = Math.floorMod(ringHead - ringFill + i, capacity);
        System.arraycopy(ring, slot * ringWidth, out, 0, ringWidth);
    }

    void clearBuffer() {
        ringFill = 0;
        ringHead = 0;
    }

    public KeyState copy() {
        KeyState c = new KeyState();
        c.modelName = modelName;
        c.modelVersion = modelVersion;
        c.modelFingerprint = modelFingerprint;
        c.inputSignature = inputSignature;
        c.events = events;
        c.lastTs = lastTs;
        c.recurrent = recurrent.clone();
        c.lastPrediction = lastPrediction == null ? null : lastPrediction.clone();
        c.errorCount = errorCount;
        c.shortMean = shortMean;
        c.longMean = longMean;
        c.longVar = longVar;
        c.lastError = lastError;
        c.lastScore = lastScore;
        c.lastAlarm = lastAlarm;
        c.ring = ring.clone();
        c.ringWidth = ringWidth;
        c.ringFill = ringFill;
        c.ringHead = ringHead;
        c.forecastStats = forecastStats == null ? null : forecastStats.copy();
        c.seasonStats = seasonStats == null ? null : seasonStats.copy();
        c.seenMin = seenMin == null ? null : seenMin.clone();
        c.seenMax = seenMax == null ? null : seenMax.clone();
        c.seasonLag = seasonLag;
        c.seasonCycles = seasonCycles;
        c.season = season == null ? null : season.clone();
        c.seasonFill = seasonFill;
        c.seasonHead = seasonHead;
        c.lastValues = lastValues == null ? null : lastValues.clone();
        c.changeCount = changeCount;
        c.changeScale = changeScale;
        c.blend = blend == null ? null : blend.copy();
        return c;
    }
}
