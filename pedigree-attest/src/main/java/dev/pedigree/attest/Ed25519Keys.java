package dev.pedigree.attest;

import dev.pedigree.io.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Ed25519 keys in PEM files: private keys as PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}), public
 * keys as X.509 SubjectPublicKeyInfo ({@code -----BEGIN PUBLIC KEY-----}), the forms {@code openssl
 * genpkey -algorithm ed25519} and {@code openssl pkey -pubout} write. A key's id is the SHA-256 (hex)
 * of its public SubjectPublicKeyInfo DER. Stateless and thread-safe.
 */
public final class Ed25519Keys {
    static final String PRIVATE = "PRIVATE KEY";
    static final String PUBLIC = "PUBLIC KEY";

    private Ed25519Keys() {}

    /** A fresh key pair. */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 missing from the JDK", e);
        }
    }

    /**
     * Writes {@code PREFIX.key} (private, owner-only permissions where the file system has them) and
     * {@code PREFIX.pub}; returns the two paths.
     */
    public static Path[] write(KeyPair kp, Path prefix) throws IOException {
        Path priv = prefix.resolveSibling(prefix.getFileName() + ".key");
        Path pub = prefix.resolveSibling(prefix.getFileName() + ".pub");
        Files.writeString(priv, pem(PRIVATE, kp.getPrivate().getEncoded()), StandardCharsets.US_ASCII);
        try {
            Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: the platform's defaults apply.
        }
        Files.writeString(pub, pem(PUBLIC, kp.getPublic().getEncoded()), StandardCharsets.US_ASCII);
        return new Path[] {priv, pub};
    }

    /** PEM text of DER bytes. */
    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    /** The PEM type of a key file ({@code PRIVATE KEY} or {@code PUBLIC KEY}). */
    public static String typeOf(Path file) throws IOException, KeyFileException {
        return decode(file).type();
    }

    /** Reads a PKCS#8 Ed25519 private key. */
    public static PrivateKey readPrivate(Path file) throws IOException, KeyFileException {
        Pem p = decode(file);
        if (!p.type().equals(PRIVATE)) {
            throw new KeyFileException(file.toString(), "expected a PEM PRIVATE KEY (PKCS#8), found " + p.type());
        }
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(p.der()));
        } catch (GeneralSecurityException e) {
            throw new KeyFileException(file.toString(), "not an Ed25519 PKCS#8 private key: " + e.getMessage(), e);
        }
    }

    /** Reads an X.509 Ed25519 public key. */
    public static PublicKey readPublic(Path file) throws IOException, KeyFileException {
        Pem p = decode(file);
        if (!p.type().equals(PUBLIC)) {
            throw new KeyFileException(
                    file.toString(), "expected a PEM PUBLIC KEY (X.509 SubjectPublicKeyInfo), found " + p.type());
        }
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(p.der()));
        } catch (GeneralSecurityException e) {
            throw new KeyFileException(file.toString(), "not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    /**
     * The public key of a private key. The JDK has no direct derivation, so the key pair is
     * regenerated from the private key's 32-byte seed (Ed25519 key generation is a pure function of
     * the seed, RFC 8032 §5.1.5).
     */
    public static PublicKey publicOf(PrivateKey key) {
        if (!(key instanceof EdECPrivateKey ed) || ed.getBytes().isEmpty()) {
            throw new IllegalArgumentException("not an Ed25519 private key with an exportable seed");
        }
        byte[] seed = ed.getBytes().get();
        SecureRandom fixed = new SecureRandom() {
            private static final long serialVersionUID = 1L;

            @Override
            public void nextBytes(byte[] bytes) {
                System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
            }
        };
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
            g.initialize(NamedParameterSpec.ED25519, fixed);
            return g.generateKeyPair().getPublic();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 missing from the JDK", e);
        }
    }

    /** The key id: SHA-256 (hex) of the SubjectPublicKeyInfo DER. */
    public static String keyId(PublicKey key) {
        return Sha256.hex(key.getEncoded());
    }

    private record Pem(String type, byte[] der) {}

    private static Pem decode(Path file) throws IOException, KeyFileException {
        if (Files.size(file) > 64 * 1024) {
            throw new KeyFileException(file.toString(), "too large for a key file");
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        int b = text.indexOf("-----BEGIN ");
        if (b < 0) {
            throw new KeyFileException(file.toString(), "no PEM -----BEGIN line");
        }
        int te = text.indexOf("-----", b + 11);
        if (te < 0) {
            throw new KeyFileException(file.toString(), "malformed PEM BEGIN line");
        }
        String type = text.substring(b + 11, te);
        String end = "-----END " + type + "-----";
        int e = text.indexOf(end, te + 5);
        if (e < 0) {
            throw new KeyFileException(file.toString(), "no PEM END line for " + type);
        }
        try {
            return new Pem(type, Base64.getMimeDecoder().decode(text.substring(te + 5, e)));
        } catch (IllegalArgumentException ex) {
            throw new KeyFileException(file.toString(), "PEM body is not base64", ex);
        }
    }
}
