package dev.pedigree.attest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * Dead Simple Signing Envelope (DSSE v1): signs {@code PAE(payloadType, payload)} with Ed25519
 * and carries the payload base64-encoded:
 *
 * <pre>
 * PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
 * LEN(s)          = ASCII decimal byte length of s, SP = 0x20
 * envelope        = {"payload": b64(body), "payloadType": type, "signatures": [{"keyid": id, "sig": b64(sig)}]}
 * </pre>
 *
 * Stateless and thread-safe.
 */
public final class Dsse {
    /** The in-toto payload type. */
    public static final String IN_TOTO = "application/vnd.in-toto+json";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Dsse() {}

    /** One signature of an envelope. */
    public record SignatureEntry(String keyid, byte[] sig) {
        public SignatureEntry {
            keyid = keyid == null ? "" : keyid;
            sig = sig.clone();
        }

        @Override
        public byte[] sig() {
            return sig.clone();
        }
    }

    /** A DSSE envelope. Immutable. */
    public record Envelope(String payloadType, byte[] payload, List<SignatureEntry> signatures) {
        public Envelope {
            Objects.requireNonNull(payloadType, "payloadType");
            payload = payload.clone();
            signatures = List.copyOf(signatures);
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }

        /** The envelope's JSON text. */
        public String toJson() {
            ObjectNode o = MAPPER.createObjectNode();
            o.put("payload", Base64.getEncoder().encodeToString(payload));
            o.put("payloadType", payloadType);
            ArrayNode a = o.putArray("signatures");
            for (SignatureEntry s : signatures) {
                a.addObject()
                        .put("keyid", s.keyid())
                        .put("sig", Base64.getEncoder().encodeToString(s.sig));
            }
            try {
                return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
            } catch (IOException e) {
                throw new IllegalStateException("serialising an envelope failed", e);
            }
        }
    }

    /** A DSSE envelope that cannot be parsed. */
    public static final class EnvelopeException extends Exception {
        private static final long serialVersionUID = 1L;

        public EnvelopeException(String detail, Throwable cause) {
            super(detail, cause);
        }
    }

    /** Pre-authentication encoding. */
    public static byte[] pae(String payloadType, byte[] payload) {
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("DSSEv1 " + type.length + " " + payloadType + " " + payload.length + " ")
                .getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + payload.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(payload, 0, out, head.length, payload.length);
        return out;
    }

    /** Signs {@code payload} with an Ed25519 key; the key id is derived from its public key. */
    public static Envelope sign(String payloadType, byte[] payload, PrivateKey key) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(pae(payloadType, payload));
            return new Envelope(
                    payloadType,
                    payload,
                    List.of(new SignatureEntry(Ed25519Keys.keyId(Ed25519Keys.publicOf(key)), s.sign())));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign with this key: " + e.getMessage(), e);
        }
    }

    /**
     * True when some signature of the envelope verifies under {@code key} (key ids are hints and are
     * not trusted; every signature is tried).
     */
    public static boolean verify(Envelope env, PublicKey key) {
        byte[] msg = pae(env.payloadType(), env.payload);
        for (SignatureEntry e : env.signatures()) {
            try {
                Signature s = Signature.getInstance("Ed25519");
                s.initVerify(key);
                s.update(msg);
                if (s.verify(e.sig)) {
                    return true;
                }
            } catch (GeneralSecurityException ex) {
                // A malformed signature or a key of another kind does not verify.
            }
        }
        return false;
    }

    /** Parses an envelope's JSON. */
    public static Envelope parse(byte[] json) throws EnvelopeException {
        JsonNode n;
        try {
            n = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new EnvelopeException("not JSON: " + e.getMessage(), e);
        }
        if (n == null
                || !n.isObject()
                || !n.path("payload").isTextual()
                || !n.path("payloadType").isTextual()
                || !n.path("signatures").isArray()) {
            throw new EnvelopeException("not a DSSE envelope (payload, payloadType and signatures required)", null);
        }
        try {
            byte[] payload = decode64(n.get("payload").textValue());
            List<SignatureEntry> sigs = new ArrayList<>();
            for (JsonNode s : n.get("signatures")) {
                if (!s.path("sig").isTextual()) {
                    throw new EnvelopeException("a signature has no sig", null);
                }
                sigs.add(new SignatureEntry(
                        s.path("keyid").asText(""), decode64(s.get("sig").textValue())));
            }
            return new Envelope(n.get("payloadType").textValue(), payload, sigs);
        } catch (IllegalArgumentException e) {
            throw new EnvelopeException("bad base64: " + e.getMessage(), e);
        }
    }

    /** DSSE accepts standard and URL-safe base64, padded or not. */
    private static byte[] decode64(String s) {
        String t = s.replace('-', '+').replace('_', '/');
        return Base64.getDecoder().decode(t);
    }
}
