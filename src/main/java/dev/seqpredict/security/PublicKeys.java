package dev.seqpredict.security;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;

/** Derives an Ed25519 public key from its private key (Java 17 has no direct API for it). */
final class PublicKeys {
    private PublicKeys() {
    }

    static PublicKey derive(PrivateKey key) {
        if (!(key instanceof EdECPrivateKey ed) || ed.getBytes().isEmpty()) {
            throw new IllegalArgumentException("not an " + Keys.ALGORITHM + " private key");
        }
        byte[] seed = ed.getBytes().get();
        try {
            // An Ed25519 key pair is a function of its 32-byte seed: generating one from a "random" source
            // that returns the seed gives back this key's public half.
            KeyPairGenerator g = KeyPairGenerator.getInstance(Keys.ALGORITHM);
            g.initialize(NamedParameterSpec.ED25519, new SeedRandom(seed));
            KeyPair pair = g.generateKeyPair();
            // Check the derivation instead of trusting the provider's use of the random source.
            byte[] probe = "seqpredict key derivation check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(Keys.ALGORITHM);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(Keys.ALGORITHM);
            v.initVerify(pair.getPublic());
            v.update(probe);
            if (!v.verify(sig)) {
                throw new IllegalStateException("could not derive the public key of an " + Keys.ALGORITHM + " private key");
            }
            return pair.getPublic();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not derive the public key: " + e.getMessage(), e);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    private static final class SeedRandom extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private final byte[] seed;

        SeedRandom(byte[] seed) {
            this.seed = seed;
        }

        @Override
        public void nextBytes(byte[] bytes) {
            if (bytes.length != seed.length) {
                throw new IllegalStateException("unexpected request for " + bytes.length + " random bytes");
            }
            System.arraycopy(seed, 0, bytes, 0, seed.length);
        }
    }
}
