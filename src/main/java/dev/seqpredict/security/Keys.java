package dev.seqpredict.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Ed25519 keys as standard PEM files: public keys as X.509 SubjectPublicKeyInfo ({@code BEGIN PUBLIC KEY}),
 * private keys as PKCS#8 ({@code BEGIN PRIVATE KEY}) — the formats {@code openssl genpkey -algorithm ed25519}
 * and {@code openssl pkey -pubout} use. Parsing is strict: one block, plain base64, an Ed25519 key.
 */
public final class Keys {

    public static final String ALGORITHM = "Ed25519";
    /** A PEM key file is a few hundred bytes; anything far larger is not one. */
    static final int MAX_PEM_BYTES = 16 * 1024;
    private static final String PUBLIC = "PUBLIC KEY";
    private static final String PRIVATE = "PRIVATE KEY";

    private Keys() {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no " + ALGORITHM, e);
        }
    }

    /** The key id: the first 16 hex digits of the SHA-256 of the public key's X.509 encoding. */
    public static String keyId(PublicKey key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    public static String publicPem(PublicKey key) {
        return pem(PUBLIC, key.getEncoded());
    }

    public static String privatePem(PrivateKey key) {
        return pem(PRIVATE, key.getEncoded());
    }

    public static PublicKey parsePublic(String pem) throws SignatureFormatException {
        byte[] der = der(pem, PUBLIC);
        try {
            PublicKey k = KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
            checkAlgorithm(k.getAlgorithm());
            return k;
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new SignatureFormatException("not an " + ALGORITHM + " public key: " + e.getMessage());
        }
    }

    public static PrivateKey parsePrivate(String pem) throws SignatureFormatException {
        byte[] der = der(pem, PRIVATE);
        try {
            PrivateKey k = KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
            checkAlgorithm(k.getAlgorithm());
            return k;
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new SignatureFormatException("not an " + ALGORITHM + " private key (PKCS#8): " + e.getMessage());
        }
    }

    public static PublicKey readPublic(Path file) throws IOException, SignatureFormatException {
        try {
            return parsePublic(readSmall(file));
        } catch (SignatureFormatException e) {
            throw new SignatureFormatException(file + ": " + e.getMessage(), e);
        }
    }

    public static PrivateKey readPrivate(Path file) throws IOException, SignatureFormatException {
        try {
            return parsePrivate(readSmall(file));
        } catch (SignatureFormatException e) {
            throw new SignatureFormatException(file + ": " + e.getMessage(), e);
        }
    }

    static String readSmall(Path file) throws IOException, SignatureFormatException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(MAX_PEM_BYTES + 1);
            if (b.length > MAX_PEM_BYTES) {
                throw new SignatureFormatException("larger than " + MAX_PEM_BYTES + " bytes: not a PEM key file");
            }
            return new String(b, StandardCharsets.US_ASCII);
        }
    }

    private static void checkAlgorithm(String algorithm) throws SignatureFormatException {
        // The JDK reports "EdDSA" for Ed25519 keys; the key factory already refused other curves.
        if (!algorithm.equals("EdDSA") && !algorithm.equals(ALGORITHM)) {
            throw new SignatureFormatException("key algorithm is " + algorithm + ", expected " + ALGORITHM);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] der(String pem, String type) throws SignatureFormatException {
        if (pem == null) {
            throw new SignatureFormatException("no PEM text");
        }
        if (pem.length() > MAX_PEM_BYTES) {
            throw new SignatureFormatException("PEM text larger than " + MAX_PEM_BYTES + " characters");
        }
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int b = pem.indexOf(begin);
        if (b < 0) {
            String other = pem.contains("-----BEGIN ") ? " (found " + firstLine(pem.substring(pem.indexOf("-----BEGIN "))) + ")" : "";
            throw new SignatureFormatException("no '" + begin + "' line" + other);
        }
        int e = pem.indexOf(end, b + begin.length());
        if (e < 0) {
            throw new SignatureFormatException("no '" + end + "' line");
        }
        if (pem.indexOf("-----BEGIN ", e) >= 0) {
            throw new SignatureFormatException("more than one PEM block");
        }
        String body = pem.substring(b + begin.length(), e).replaceAll("[\\r\\n\\t ]", "");
        if (body.isEmpty()) {
            throw new SignatureFormatException("empty PEM block");
        }
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException ex) {
            throw new SignatureFormatException("PEM body is not valid base64: " + ex.getMessage());
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        String line = (nl < 0 ? s : s.substring(0, nl)).trim();
        return line.length() > 60 ? line.substring(0, 60) + "…" : line;
    }
}
