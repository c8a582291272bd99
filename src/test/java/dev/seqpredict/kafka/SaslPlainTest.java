package dev.seqpredict.kafka;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.errors.SaslAuthenticationException;

/** The pipeline over a SASL_PLAINTEXT listener with the PLAIN mechanism (one user in the listener's JAAS config). */
class SaslPlainTest extends SecuredListenerTestBase {
    private static final String USER = "seqpredict";
    private static final String PASSWORD = "s3cret-pl41n";

    @Override
    String protocol() {
        return "SASL_PLAINTEXT";
    }

    @Override
    Map<String, String> listenerSettings(String prefix) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("sasl.enabled.mechanisms", "PLAIN");
        o.put(prefix + "sasl.enabled.mechanisms", "PLAIN");
        o.put(prefix + "plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required user_" + USER + "=\"" + PASSWORD + "\";");
        return o;
    }

    @Override
    Map<String, String> clientSecurity(boolean valid) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("security.protocol", "SASL_PLAINTEXT");
        m.put("sasl.mechanism", "PLAIN");
        m.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + USER
                + "\" password=\"" + (valid ? PASSWORD : "wrong") + "\";");
        return m;
    }

    @Override
    Class<? extends Exception> refusal() {
        return SaslAuthenticationException.class;
    }
}
