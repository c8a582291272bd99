package dev.seqpredict.cli;

import dev.seqpredict.model.ModelArtifact;
import dev.seqpredict.model.ModelFormatException;
import dev.seqpredict.security.ModelSignature;
import dev.seqpredict.security.SignatureFormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "publish", mixinStandardHelpOptions = true,
        description = {"Send a model artifact to the models topic (key = model name, value = the artifact's bytes, unchanged),",
                "signed in the record headers seqpredict.key-id and seqpredict.signature (base64).",
                "Sign here with --key, or attach a signature made elsewhere with --signature (keeps the private key off this machine).",
                "--withdraw sends an empty value (signed as the empty artifact) that removes the model from the jobs."})
final class PublishCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT[,...]", description = "Kafka brokers.")
    String bootstrapServers;

    @Option(names = "--topic", defaultValue = "models", paramLabel = "TOPIC", description = "Models topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "Model name (the record key).")
    String name;

    @ArgGroup(exclusive = true, multiplicity = "1")
    What what;

    static final class What {
        @Option(names = "--model", paramLabel = "FILE", description = "Model artifact (.safetensors).")
        Path model;

        @Option(names = "--withdraw", description = "Withdraw the model instead of publishing one.")
        boolean withdraw;
    }

    @ArgGroup(exclusive = true)
    Signing signing;

    static final class Signing {
        @Option(names = "--key", paramLabel = "FILE", description = "Sign with this PKCS#8 PEM private key.")
        Path key;

        @Option(names = "--signature", paramLabel = "FILE", description = "Attach this signature file (from 'sign').")
        Path signature;
    }

    @Option(names = "--property", paramLabel = "KEY=VALUE", description = "Extra producer setting (e.g. security.protocol=SASL_SSL); repeatable.")
    Map<String, String> properties = new HashMap<>();

    @Option(names = "--timeout", defaultValue = "30", converter = PositiveInt.class, paramLabel = "SECONDS", description = "How long to wait for the broker's acknowledgement (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    static final class PositiveInt implements picocli.CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int v = Integer.parseInt(value.trim());
            if (v < 1 || v > 3600) {
                throw new picocli.CommandLine.TypeConversionException("must be 1..3600 seconds, got " + value);
            }
            return v;
        }
    }

    @Override
    public Integer call() {
        byte[] artifact = new byte[0];
        if (!what.withdraw) {
            artifact = KeyFiles.artifact(what.model, ModelArtifact.DEFAULT_MAX_BYTES);
            try {
                ModelArtifact.load(artifact);
            } catch (ModelFormatException e) {
                throw new CliException("refusing to publish an invalid model " + what.model + ": " + e.getMessage());
            }
        }
        ModelSignature sig = signature(artifact);
        var err = spec.commandLine().getErr();
        if (sig == null) {
            err.println("warning: publishing " + name + " unsigned: jobs that verify models will reject it as 'unverified'");
        }
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, name, artifact);
        if (sig != null) {
            record.headers().add(ModelSignature.HEADER_KEY_ID, sig.keyId().getBytes(StandardCharsets.UTF_8));
            record.headers().add(ModelSignature.HEADER_SIGNATURE, sig.signatureBase64().getBytes(StandardCharsets.UTF_8));
        }
        RecordMetadata md;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config(artifact.length),
                new StringSerializer(), new ByteArraySerializer())) {
            md = producer.send(record).get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause() == null ? e : e.getCause();
            throw new CliException("cannot publish to " + topic + " at " + bootstrapServers + ": " + c.getMessage());
        } catch (TimeoutException e) {
            throw new CliException("no acknowledgement from " + bootstrapServers + " within " + timeoutSeconds + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new CliException("cannot publish to " + topic + " at " + bootstrapServers + ": " + e.getMessage());
        }
        var o = spec.commandLine().getOut();
        o.printf("%s    %s -> %s-%d@%d%n", what.withdraw ? "withdrawn" : "published", name, md.topic(), md.partition(), md.offset());
        if (!what.withdraw) {
            o.printf("sha256      %s%n", ModelArtifact.sha256Hex(artifact));
        }
        o.printf("key id      %s%n", sig == null ? "(unsigned)" : sig.keyId());
        return 0;
    }

    private ModelSignature signature(byte[] artifact) {
        if (signing == null) {
            return null;
        }
        if (signing.key != null) {
            return KeyFiles.signer(signing.key).sign(artifact);
        }
        String text = KeyFiles.signatureText(signing.signature);
        if (text == null) {
            throw new CliException("signature file not found: " + signing.signature);
        }
        try {
            return ModelSignature.parseFile(text);
        } catch (SignatureFormatException e) {
            throw new CliException("bad signature file " + signing.signature + ": " + e.getMessage());
        }
    }

    private Map<String, Object> config(int valueBytes) {
        Map<String, Object> c = new HashMap<>();
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        c.put(ProducerConfig.CLIENT_ID_CONFIG, "seqpredict-publish");
        // A model can be larger than the producer's 1 MiB default (the topic's max.message.bytes must allow it too).
        c.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Math.max(1 << 20, valueBytes + (64 << 10)));
        int requestMs = Math.max(1000, Math.min(30_000, timeoutSeconds * 500));
        c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestMs);
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Math.max(timeoutSeconds * 1000, requestMs + 1000)); // >= linger + request
        c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.max(1000L, timeoutSeconds * 1000L));
        c.putAll(properties);
        return c;
    }
}
