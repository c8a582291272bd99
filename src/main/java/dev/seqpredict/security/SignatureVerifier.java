package dev.seqpredict.security;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Verifies model signatures against a fixed set of trusted Ed25519 public keys, looked up by key id.
 * Every outcome has a precise reason: {@code verified}, {@code unsigned}, {@code unknown_key},
 * {@code bad_signature}, {@code malformed_signature}. Thread-safe; never throws on untrusted input.
 */
public final class SignatureVerifier {

    private final Map<String, PublicKey> trusted;

    public SignatureVerifier(Collection<PublicKey> keys) {
        Map<String, PublicKey> m = new TreeMap<>();
        for (PublicKey k : keys) {
            if (!k.getAlgorithm().equals("EdDSA") && !k.getAlgorithm().equals(Keys.ALGORITHM)) {
                throw new IllegalArgumentException("trusted key is " + k.getAlgorithm() + ", expected " + Keys.ALGORITHM);
            }
            m.put(Keys.keyId(k), k);
        }
        if (m.isEmpty()) {
            throw new IllegalArgumentException("no trusted keys: verification would reject every model");
        }
        this.trusted = Map.copyOf(m);
    }

    /**
     * Loads the trusted keys: each path is a PEM public key file or a directory whose {@code *.pem} files
     * are all public keys (not recursive). A file that is not a public key fails the whole load: a
     * misconfigured trust store must stop the job, not silently shrink.
     */
    public static SignatureVerifier fromPaths(List<Path> paths) throws IOException, SignatureFormatException {
        List<PublicKey> keys = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                List<Path> files = new ArrayList<>();
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(p, "*.pem")) {
                    ds.forEach(files::add);
                }
                files.sort(null);
                if (files.isEmpty()) {
                    throw new SignatureFormatException("trusted key directory " + p + " has no *.pem files");
                }
                for (Path f : files) {
                    keys.add(Keys.readPublic(f));
                }
            } else if (Files.isRegularFile(p)) {
                keys.add(Keys.readPublic(p));
            } else {
                throw new IOException("trusted key file or directory not found: " + p);
            }
        }
        if (keys.isEmpty()) {
            throw new SignatureFormatException("no trusted keys configured");
        }
        return new SignatureVerifier(keys);
    }

    /** The trusted key ids, sorted. */
    public List<String> keyIds() {
        return List.copyOf(trusted.keySet());
    }

    /** Checks a parsed signature (null = unsigned). */
    public Verification verify(byte[] artifact, ModelSignature signature) {
        if (signature == null) {
            return new Verification(Verification.Status.UNSIGNED, null, "the model has no signature");
        }
        PublicKey key = trusted.get(signature.keyId());
        if (key == null) {
            return new Verification(Verification.Status.UNKNOWN_KEY, signature.keyId(), "signed by key "
                    + signature.keyId() + ", which is not among the " + trusted.size() + " trusted key(s) " + trusted.keySet());
        }
        boolean ok;
        try {
            Signature s = Signature.getInstance(Keys.ALGORITHM);
            s.initVerify(key);
            s.update(ModelSigner.sha256(artifact));
            ok = s.verify(signature.signature());
        } catch (SignatureException e) {
            ok = false; // an encoding the curve rejects: as bad as a wrong signature
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot verify " + Keys.ALGORITHM + " signatures: " + e.getMessage(), e);
        }
        if (!ok) {
            return new Verification(Verification.Status.BAD_SIGNATURE, signature.keyId(), "the signature by key "
                    + signature.keyId() + " does not match the artifact (sha256 " + hex(ModelSigner.sha256(artifact))
                    + "): the artifact was changed after signing, or the signature belongs to another artifact");
        }
        return new Verification(Verification.Status.VERIFIED, signature.keyId(), "signed by trusted key " + signature.keyId());
    }

    /**
     * Checks a model published with signature headers, given the raw header values (null = header absent).
     * Both absent is {@code unsigned}; one absent or unparseable is {@code malformed_signature}.
     */
    public Verification verify(byte[] artifact, byte[] keyIdHeader, byte[] signatureHeader) {
        if (keyIdHeader == null && signatureHeader == null) {
            return verify(artifact, (ModelSignature) null);
        }
        try {
            return verify(artifact, ModelSignature.fromHeaders(keyIdHeader, signatureHeader));
        } catch (SignatureFormatException e) {
            return new Verification(Verification.Status.MALFORMED_SIGNATURE, null, e.getMessage());
        }
    }

    /** Checks a model against the text of its {@code .sig} file (null = no file). */
    public Verification verifyFile(byte[] artifact, String signatureFileText) {
        if (signatureFileText == null) {
            return verify(artifact, (ModelSignature) null);
        }
        try {
            return verify(artifact, ModelSignature.parseFile(signatureFileText));
        } catch (SignatureFormatException e) {
            return new Verification(Verification.Status.MALFORMED_SIGNATURE, null, e.getMessage());
        }
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }
}
