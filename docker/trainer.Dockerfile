# The trainer image: the seqpredict CLI (train / evaluate / publish) on a JRE 17, with DJL's bundled
# CPU libtorch (no download at run time). Build from the repository root after `mvn -B package`:
#   docker build -f docker/trainer.Dockerfile -t seqpredict/trainer:0.1.0 .
# Examples:
#   docker run --rm -v $PWD/data:/data seqpredict/trainer:0.1.0 train --input /data/sensors.csv --out /data/new.safetensors
#   docker run --rm -v $PWD/data:/data seqpredict/trainer:0.1.0 evaluate --candidate /data/new.safetensors --current /data/cur.safetensors --input /data/sensors.csv
FROM eclipse-temurin:17-jre

RUN groupadd --system --gid 10001 seqpredict && useradd --system --uid 10001 --gid seqpredict --home-dir /opt/seqpredict seqpredict \
    && mkdir -p /var/cache/djl /work && chown seqpredict:seqpredict /var/cache/djl /work
COPY target/lib/ /opt/seqpredict/lib/
COPY target/seqpredict.jar /opt/seqpredict/seqpredict.jar

ENV DJL_CACHE_DIR=/var/cache/djl DJL_OFFLINE=true
USER seqpredict
WORKDIR /work
ENTRYPOINT ["java", "--add-modules", "jdk.incubator.vector", "-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0", \
            "-XX:MaxRAMPercentage=75", "-jar", "/opt/seqpredict/seqpredict.jar"]
CMD ["--help"]
