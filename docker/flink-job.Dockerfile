# The Flink job image: the official Flink image with the seqpredict job jar in usrlib, for application
# mode (docker compose: `standalone-job`; Kubernetes: the Flink Kubernetes Operator's FlinkDeployment).
# Build from the repository root after `mvn -B package` (which writes target/seqpredict-flink-job.jar):
#   docker build -f docker/flink-job.Dockerfile -t seqpredict/flink-job:0.1.0 .
FROM flink:2.2.1-java17

# checkpoints and savepoints in docker compose (a named volume inherits this owner)
RUN mkdir -p /flink-data && chown flink:flink /flink-data
COPY --chown=flink:flink target/seqpredict-flink-job.jar /opt/flink/usrlib/seqpredict-flink-job.jar
COPY --chown=flink:flink docker/conf/flink-job.properties /opt/seqpredict/conf/seqpredict.properties

# Flink settings (RocksDB, checkpoints, env.java.opts.all with --add-modules=jdk.incubator.vector for the
# Vector API kernel) come from FLINK_PROPERTIES (docker compose) or the FlinkDeployment (Kubernetes).
# /metrics of the job (MetricsEndpoint, in each TaskManager) and the Flink web UI / REST API
EXPOSE 9400 8081
