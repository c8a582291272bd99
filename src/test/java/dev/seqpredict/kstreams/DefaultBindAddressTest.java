package dev.seqpredict.kstreams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.seqpredict.flink.FlinkSettings;
import dev.seqpredict.kafka.KafkaTestSupport;
import dev.seqpredict.metrics.MetricsEndpoint;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.CloseOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP endpoints (Prometheus {@code /metrics} on both engines, the Kafka Streams key queries) listen on
 * the loopback interface unless a host is configured: the bound address is 127.0.0.1, and where the
 * machine has a non-loopback address, a connection to it on that port is refused.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DefaultBindAddressTest {
    @RegisterExtension
    static final KafkaTestSupport KAFKA = new KafkaTestSupport();

    @TempDir
    Path stateDir;

    @Test
    void metricsEndpointBindsToLoopbackByDefault() throws Exception {
        Properties p = new Properties();
        p.setProperty(MetricsEndpoint.PORT_PROPERTY, "0"); // a port, no host
        try (MetricsEndpoint e = MetricsEndpoint.startIfConfigured(p)) {
            assertLoopbackOnly(e.address());
        }
        // the Flink TaskManagers' endpoint: the same default host
        assertThat(FlinkSettings.defaults().metricsHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void keyQueryServerBindsToLoopbackByDefault() throws Exception {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", KAFKA.bootstrapServers());
        p.setProperty("topic.events", KAFKA.newTopic("bind-events"));
        p.setProperty("topic.models", KAFKA.newTopic("bind-models"));
        p.setProperty(PredictionApp.HTTP_PORT, "0");
        p.setProperty(PredictionApp.SHUTDOWN_TIMEOUT_MS, "5000");
        p.setProperty("streams.application.id", "bind-test");
        p.setProperty("streams.state.dir", stateDir.toString());
        p.setProperty("streams.processing.guarantee", "at_least_once");
        PredictionApp app = PredictionApp.start(p);
        try {
            assertThat(app.httpAddress()).isNotNull();
            assertLoopbackOnly(app.httpAddress());
        } finally {
            app.close(CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP);
        }
    }

    private static void assertLoopbackOnly(InetSocketAddress bound) throws IOException {
        assertThat(bound.getAddress().isLoopbackAddress()).as("bound to %s", bound).isTrue();
        assertThat(bound.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), bound.getPort()), 2000);
        }
        Optional<InetAddress> external = nonLoopbackAddress();
        if (external.isPresent()) {
            assertThatThrownBy(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(external.get(), bound.getPort()), 2000);
                }
            }).as("reachable on %s", external.get()).isInstanceOf(IOException.class);
        }
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws IOException {
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!ni.isUp() || ni.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                    return Optional.of(a);
                }
            }
        }
        return Optional.empty();
    }
}
