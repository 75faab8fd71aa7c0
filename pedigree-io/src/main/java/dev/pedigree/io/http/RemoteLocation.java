package dev.pedigree.io.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where a remote model lives, parsed from a MODEL argument by {@link RemoteSession#resolve}.
 *
 * <ul>
 *   <li>{@code hf:owner/name[@revision]} → a {@link Kind#REPOSITORY} at {@code
 *       <endpoint>/owner/name/resolve/<revision or main>/};
 *   <li>an {@code http(s)} URL whose path ends in {@code /resolve/<revision>/} (or {@code
 *       /resolve/<revision>}, or the hub's {@code /tree/<revision>}), or any URL ending in {@code
 *       /}, or {@code <endpoint>/owner/name} → a repository;
 *   <li>any other URL → a single {@link Kind#FILE} (a hub {@code /blob/} page URL is turned into
 *       its {@code /resolve/} download URL).
 * </ul>
 *
 * @param kind a single file or a repository folder
 * @param uri the file's URL, or the repository base URL ending in {@code /}
 * @param revision the revision named in the argument or URL, or null when none was given
 */
public record RemoteLocation(Kind kind, URI uri, String revision) {
    /** What the location points at. */
    public enum Kind {
        FILE,
        REPOSITORY
    }

    private static final Pattern REPO_PART = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,95}");
    private static final Pattern REVISION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,254}");

    public RemoteLocation {
        if (kind == null || uri == null) {
            throw new IllegalArgumentException("kind and uri are required");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null) {
            throw new IllegalArgumentException("not an http(s) URL with a host: " + SafeUrl.describe(uri));
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException(
                    "credentials in a URL are not supported; use HF_TOKEN or PEDIGREE_HTTP_TOKEN");
        }
        if (kind == Kind.REPOSITORY
                && (uri.getRawPath() == null || !uri.getRawPath().endsWith("/") || uri.getRawQuery() != null)) {
            throw new IllegalArgumentException(
                    "a repository URL must end with '/' and have no query: " + SafeUrl.describe(uri));
        }
    }

    /** The URL of a file of this repository (or a sibling of this file). */
    public URI fileUri(String relativeName) {
        String encoded = encodeRelativePath(relativeName);
        URI base = kind == Kind.REPOSITORY ? uri : uri.resolve(".");
        return URI.create(base.toString() + encoded);
    }

    /** The URL without credentials or query string, for messages. */
    public String description() {
        return SafeUrl.describe(uri);
    }

    /**
     * Checks a relative file name taken from an index or argument ({@code model-00001-of-00002
     * .safetensors}, {@code onnx/model.onnx}) and percent-encodes each segment.
     *
     * @throws IllegalArgumentException for absolute names, {@code .} or {@code ..} segments,
     *     backslashes or control characters
     */
    static String encodeRelativePath(String name) {
        if (name == null || name.isEmpty() || name.length() > 1024) {
            throw new IllegalArgumentException("file name must be 1..1024 characters");
        }
        StringBuilder sb = new StringBuilder();
        for (String seg : name.split("/", -1)) {
            if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
                throw new IllegalArgumentException(
                        "unsafe file name \"" + printable(name) + "\": empty, '.' or '..' segment");
            }
            if (sb.length() > 0) {
                sb.append('/');
            }
            for (byte b : seg.getBytes(StandardCharsets.UTF_8)) {
                int c = b & 0xff;
                if (c < 0x20 || c == 0x7f || c == '\\') {
                    throw new IllegalArgumentException(
                            "unsafe file name \"" + printable(name) + "\": control character or backslash");
                }
                if ((c >= 'A' && c <= 'Z')
                        || (c >= 'a' && c <= 'z')
                        || (c >= '0' && c <= '9')
                        || c == '-'
                        || c == '.'
                        || c == '_'
                        || c == '~') {
                    sb.append((char) c);
                } else {
                    sb.append('%')
                            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
                }
            }
        }
        return sb.toString();
    }

    private static String printable(String s) {
        String t = s.length() > 120 ? s.substring(0, 120) + "..." : s;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }

    /** True for arguments {@link #parse} understands ({@code hf:}, {@code http://}, {@code https://}). */
    public static boolean isRemote(String argument) {
        String a = argument.toLowerCase(Locale.ROOT);
        return a.startsWith("hf:") || a.startsWith("https://") || a.startsWith("http://");
    }

    /**
     * Parses a MODEL argument.
     *
     * @param hfEndpoint the hub base URL, e.g. {@code https://huggingface.co}
     * @throws IllegalArgumentException if it is not a valid remote argument; the message never
     *     repeats a URL's credentials or query string
     */
    public static RemoteLocation parse(String argument, URI hfEndpoint) {
        if (argument == null) {
            throw new IllegalArgumentException("missing model argument");
        }
        if (argument.regionMatches(true, 0, "hf:", 0, 3)) {
            return parseHub(argument.substring(3), hfEndpoint);
        }
        if (!isRemote(argument)) {
            throw new IllegalArgumentException(
                    "not a remote model: expected hf:owner/name[@revision] or an http(s) URL");
        }
        URI u;
        try {
            u = new URI(argument);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("malformed URL (at index " + e.getIndex() + ")");
        }
        if (u.getRawUserInfo() != null) {
            throw new IllegalArgumentException(
                    "credentials in a URL are not supported; use HF_TOKEN or PEDIGREE_HTTP_TOKEN");
        }
        if (u.getHost() == null) {
            throw new IllegalArgumentException("URL without a host: " + SafeUrl.describe(u));
        }
        String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
        String origin = u.getScheme().toLowerCase(Locale.ROOT) + "://" + u.getRawAuthority();
        boolean hub = u.getHost().equalsIgnoreCase(hfEndpoint.getHost())
                || u.getHost().equalsIgnoreCase("huggingface.co");
        for (String marker : hub ? new String[] {"/resolve/", "/tree/", "/blob/"} : new String[] {"/resolve/"}) {
            int at = path.indexOf(marker);
            if (at <= 0) {
                continue;
            }
            String prefix = path.substring(0, at);
            String after = path.substring(at + marker.length());
            int slash = after.indexOf('/');
            String rev = slash < 0 ? after : after.substring(0, slash);
            String rest = slash < 0 ? "" : after.substring(slash + 1);
            if (rev.isEmpty()) {
                break;
            }
            String base = origin + prefix + "/resolve/" + rev + "/";
            String revision = decode(rev);
            if (rest.isEmpty() && !marker.equals("/blob/")) {
                return new RemoteLocation(Kind.REPOSITORY, URI.create(base), revision);
            }
            if (!rest.isEmpty()) {
                String q = marker.equals("/resolve/") && u.getRawQuery() != null ? "?" + u.getRawQuery() : "";
                return new RemoteLocation(Kind.FILE, URI.create(base + rest + q), revision);
            }
            break;
        }
        if (path.endsWith("/")) {
            return new RemoteLocation(Kind.REPOSITORY, URI.create(origin + path), null);
        }
        String[] segs = path.substring(1).split("/");
        if (hub
                && segs.length == 2
                && REPO_PART.matcher(segs[0]).matches()
                && REPO_PART.matcher(segs[1]).matches()) {
            return new RemoteLocation(Kind.REPOSITORY, URI.create(origin + path + "/resolve/main/"), "main");
        }
        return new RemoteLocation(Kind.FILE, u, null);
    }

    private static RemoteLocation parseHub(String spec, URI endpoint) {
        int at = spec.indexOf('@');
        String id = at < 0 ? spec : spec.substring(0, at);
        String revision = at < 0 ? "main" : spec.substring(at + 1);
        String[] parts = id.split("/", -1);
        if (parts.length < 1 || parts.length > 2) {
            throw new IllegalArgumentException("hf: expects owner/name[@revision], got \"" + printable(spec) + "\"");
        }
        for (String p : parts) {
            if (!REPO_PART.matcher(p).matches() || p.contains("..")) {
                throw new IllegalArgumentException("hf: repository id \"" + printable(id)
                        + "\" is not owner/name (letters, digits, '.', '_', '-')");
            }
        }
        if (!REVISION.matcher(revision).matches()
                || revision.contains("..")
                || revision.contains("//")
                || revision.endsWith("/")) {
            throw new IllegalArgumentException(
                    "hf: revision \"" + printable(revision) + "\" is not a branch, tag or commit name");
        }
        String base = endpoint.toString().replaceAll("/+$", "");
        String encodedRevision = revision.replace("/", "%2F");
        return new RemoteLocation(
                Kind.REPOSITORY, URI.create(base + "/" + id + "/resolve/" + encodedRevision + "/"), revision);
    }

    private static String decode(String raw) {
        try {
            return new URI("x:/" + raw).getPath().substring(1);
        } catch (URISyntaxException e) {
            return raw;
        }
    }
}
