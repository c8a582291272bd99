package dev.seqpredict.kafka;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline over an SSL listener: the broker presents a self-signed certificate for 127.0.0.1 (made
 * with the JDK's keytool), clients trust it through {@code ssl.truststore.*} and verify the host name
 * (Kafka's default, {@code ssl.endpoint.identification.algorithm=https}); a client that trusts another
 * certificate is refused in the handshake.
 */
class TlsTest extends SecuredListenerTestBase {
    private static final String PASSWORD = "t1s-st0re";

    @TempDir
    static Path stores; // static: injected before the broker starts in @BeforeAll

    @Override
    String protocol() {
        return "SSL";
    }

    @Override
    Map<String, String> listenerSettings(String prefix) throws Exception {
        Path keystore = stores.resolve("broker.p12");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD);
        Map<String, String> o = new LinkedHashMap<>();
        o.put(prefix + "ssl.keystore.location", keystore.toString());
        o.put(prefix + "ssl.keystore.type", "PKCS12");
        o.put(prefix + "ssl.keystore.password", PASSWORD);
        o.put(prefix + "ssl.key.password", PASSWORD);
        return o;
    }

    @Override
    Map<String, String> clientSecurity(boolean valid) throws Exception {
        Path truststore = stores.resolve(valid ? "trust.p12" : "trust-other.p12");
        if (!truststore.toFile().exists()) {
            Path cert = stores.resolve(valid ? "broker.pem" : "other.pem");
            if (valid) {
                keytool("-exportcert", "-alias", "broker", "-rfc", "-file", cert.toString(),
                        "-keystore", stores.resolve("broker.p12").toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
            } else { // a certificate the broker does not have
                Path other = stores.resolve("other.p12");
                keytool("-genkeypair", "-alias", "other", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                        "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                        "-keystore", other.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD);
                keytool("-exportcert", "-alias", "other", "-rfc", "-file", cert.toString(),
                        "-keystore", other.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
            }
            keytool("-importcert", "-noprompt", "-alias", "ca", "-file", cert.toString(),
                    "-keystore", truststore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        }
        Map<String, String> m = new LinkedHashMap<>();
        m.put("security.protocol", "SSL");
        m.put("ssl.truststore.location", truststore.toString());
        m.put("ssl.truststore.type", "PKCS12");
        m.put("ssl.truststore.password", PASSWORD);
        return m;
    }

    @Override
    Class<? extends Exception> refusal() {
        return SslAuthenticationException.class;
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }
}
