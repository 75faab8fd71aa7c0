package dev.pedigree.io.http;

import java.util.Optional;
import java.util.function.Function;

/**
 * An access token for gated repositories, sent as {@code Authorization: Bearer <token>}. The value
 * is never logged, never printed by {@link #toString()} and never put into an exception message.
 *
 * <p>{@link #fromEnvironment} looks, in order, at the system property {@code pedigree.http.token}
 * and the environment variables {@code HF_TOKEN} and {@code PEDIGREE_HTTP_TOKEN}; blank values are
 * ignored. Immutable and thread-safe.
 */
public final class BearerToken {
    /** System property checked first by {@link #fromEnvironment}. */
    public static final String PROPERTY = "pedigree.http.token";
    /** Environment variables checked next, in this order. */
    public static final String HF_TOKEN = "HF_TOKEN";

    public static final String PEDIGREE_HTTP_TOKEN = "PEDIGREE_HTTP_TOKEN";

    private final String value;

    private BearerToken(String value) {
        this.value = value;
    }

    /**
     * Wraps a token.
     *
     * @throws IllegalArgumentException if it is blank or contains characters that cannot appear in a
     *     header (the message does not repeat the token)
     */
    public static BearerToken of(String token) {
        String t = token == null ? "" : token.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty access token");
        }
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new IllegalArgumentException(
                        "access token contains a character not allowed in an HTTP header (at index " + i + ")");
            }
        }
        return new BearerToken(t);
    }

    /** Reads the token from the real system properties and environment. */
    public static Optional<BearerToken> fromEnvironment() {
        return fromEnvironment(System::getProperty, System::getenv);
    }

    /** Reads the token through the given lookups (tests inject maps here). */
    public static Optional<BearerToken> fromEnvironment(
            Function<String, String> systemProperties, Function<String, String> environment) {
        for (String candidate : new String[] {
            systemProperties.apply(PROPERTY), environment.apply(HF_TOKEN), environment.apply(PEDIGREE_HTTP_TOKEN)
        }) {
            if (candidate != null && !candidate.isBlank()) {
                return Optional.of(of(candidate));
            }
        }
        return Optional.empty();
    }

    /** The header value; only the HTTP layer calls this. */
    String authorizationHeader() {
        return "Bearer " + value;
    }

    @Override
    public String toString() {
        return "BearerToken[redacted]";
    }
}
