package dev.seqpredict.security;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;

/**
 * Signs model artifacts with Ed25519. The signed message is the 32-byte SHA-256 digest of the artifact
 * file, so a signature can also be checked with standard tools, e.g.
 * {@code openssl dgst -sha256 -binary model.safetensors > d; openssl pkeyutl -verify -pubin -inkey public.pem -rawin -in d -sigfile sig.bin}.
 */
public final class ModelSigner {

    private final PrivateKey key;
    private final String keyId;

    /** @param publicKey the matching public key (its hash is the key id written with each signature) */
    public ModelSigner(PrivateKey key, PublicKey publicKey) {
        this.key = key;
        this.keyId = Keys.keyId(publicKey);
    }

    public ModelSigner(KeyPair pair) {
        this(pair.getPrivate(), pair.getPublic());
    }

    /** A signer from a PKCS#8 private key alone: the public key (and so the key id) is derived from it. */
    public static ModelSigner of(PrivateKey key) {
        return new ModelSigner(key, PublicKeys.derive(key));
    }

    public static KeyPair generateKeyPair() {
        return Keys.generate();
    }

    public String keyId() {
        return keyId;
    }

    public ModelSignature sign(byte[] artifact) {
        try {
            Signature s = Signature.getInstance(Keys.ALGORITHM);
            s.initSign(key);
            s.update(sha256(artifact));
            return new ModelSignature(keyId, s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with an " + Keys.ALGORITHM + " key: " + e.getMessage(), e);
        }
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
