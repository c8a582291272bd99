package dev.seqpredict.lab;

import dev.seqpredict.flink.EventRecord;
import dev.seqpredict.flink.FlinkSettings;
import dev.seqpredict.flink.PredictFunction;
import dev.seqpredict.flink.PredictionJob;
import dev.seqpredict.flink.PredictionRecord;
import dev.seqpredict.processor.JobSettings;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The prediction job with {@link DjlPerEventFunction} as its keyed step: the same Kafka source, key, sinks and
 * settings as {@link PredictionJob}, one fixed model and no models topic. For the benchmarks only.
 */
public final class DjlPeerJob {

    private DjlPeerJob() {
    }

    /** The pipeline on {@code events}: keyed by entity id, one DJL forward per event. */
    public static SingleOutputStreamOperator<PredictionRecord> pipeline(DataStream<EventRecord> events, byte[] artifact,
                                                                       JobSettings settings) {
        return events.keyBy(new PredictionJob.EntityKey())
                .process(new DjlPerEventFunction(artifact, settings)).name("predict (DJL per event)").uid("predict-djl");
    }

    /** Starts the job in this JVM on a MiniCluster, as {@link PredictionJob#startLocal()} does. */
    public static JobClient startLocal(JobSettings settings, FlinkSettings flink, byte[] artifact) throws Exception {
        FlinkSettings local = flink.withLocalDefaults();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(
                local.parallelism() > 0 ? local.parallelism() : 1, local.toConfiguration());
        DataStream<EventRecord> events = env.fromSource(PredictionJob.eventsSource(settings, local), WatermarkStrategy.noWatermarks(),
                "events").uid("events-source");
        SingleOutputStreamOperator<PredictionRecord> out = pipeline(events, artifact, settings);
        out.sinkTo(PredictionJob.predictionsSink(settings, local)).name("predictions").uid("predictions-sink");
        out.getSideOutput(PredictFunction.DEAD_LETTERS).sinkTo(PredictionJob.deadLetterSink(settings, local))
                .name("dead-letters").uid("dlq-sink");
        return env.executeAsync(local.jobName() + " (DJL per event)");
    }
}
