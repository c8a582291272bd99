# The Kafka Streams app image: a JRE 17 running the CLI jar with its dependencies (target/lib).
# Build from the repository root after `mvn -B package`:
#   docker build -f docker/kstreams.Dockerfile -t seqpredict/kstreams:0.1.0 .
FROM eclipse-temurin:17-jre

RUN groupadd --system --gid 10001 seqpredict && useradd --system --uid 10001 --gid seqpredict --home-dir /opt/seqpredict seqpredict \
    && mkdir -p /var/lib/seqpredict/state && chown -R seqpredict:seqpredict /var/lib/seqpredict
COPY target/lib/ /opt/seqpredict/lib/
COPY target/seqpredict.jar /opt/seqpredict/seqpredict.jar
COPY docker/conf/kstreams.properties /opt/seqpredict/conf/seqpredict.properties

USER seqpredict
WORKDIR /opt/seqpredict
# Kafka Streams' RocksDB state (a volume or PVC in production)
VOLUME /var/lib/seqpredict/state
# /metrics (MetricsEndpoint), also the liveness/readiness probe
EXPOSE 9400
ENTRYPOINT ["java", "--add-modules", "jdk.incubator.vector", "-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0", \
            "-XX:MaxRAMPercentage=75", "-cp", "/opt/seqpredict/seqpredict.jar:/opt/seqpredict/lib/*", \
            "dev.seqpredict.kstreams.PredictionApp"]
CMD ["--config", "/opt/seqpredict/conf/seqpredict.properties"]
