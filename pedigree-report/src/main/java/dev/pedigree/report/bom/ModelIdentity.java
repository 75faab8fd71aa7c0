package dev.pedigree.report.bom;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who a model is, as far as its source tells: a display name (never a local path) and, when the
 * source names a Hugging Face repository, its id and revision for a package URL.
 *
 * <p>Recognised: {@code hf:owner/name[@revision]}, {@code https://huggingface.co/owner/name/resolve/<revision>/…}
 * (and {@code /blob/}, {@code /tree/}), and a Hugging Face cache snapshot
 * {@code …/models--owner--name/snapshots/<commit>[/file]}. Any other local path is named by its last
 * segment (the directory or file name); a name that is not a path (e.g. {@code owner/name} given with
 * {@code --name}) is kept.
 *
 * @param displayName the name to show
 * @param repository the Hugging Face repository id {@code owner/name}; null when unknown
 * @param revision the revision or commit; null when unknown
 */
public record ModelIdentity(String displayName, String repository, String revision) {
    private static final Pattern HF_SCHEME = Pattern.compile("^hf:([^/@\\s]+/[^/@\\s]+)(?:@(\\S+))?$");
    private static final Pattern HF_URL = Pattern.compile(
            "^https?://(?:www\\.)?(?:huggingface\\.co|hf\\.co)/([^/]+/[^/]+)(?:/(?:resolve|blob|tree)/([^/]+))?(?:/.*)?$");
    private static final Pattern HF_CACHE =
            Pattern.compile("(?:^|/)models--([^/]+?)--([^/]+)/snapshots/([0-9a-fA-F]{7,64})(?:/.*)?$");

    /** The identity a source string gives. */
    public static ModelIdentity of(String source) {
        String s = source.strip().replace('\\', '/');
        Matcher m = HF_SCHEME.matcher(s);
        if (m.matches()) {
            return new ModelIdentity(m.group(1), m.group(1), m.group(2));
        }
        m = HF_URL.matcher(s);
        if (m.matches()) {
            return new ModelIdentity(m.group(1), m.group(1), m.group(2));
        }
        m = HF_CACHE.matcher(s);
        if (m.find()) {
            String id = m.group(1) + "/" + m.group(2);
            return new ModelIdentity(id, id, m.group(3));
        }
        return new ModelIdentity(isPath(s) ? lastSegment(s) : s, null, null);
    }

    /**
     * {@code pkg:huggingface/owner/name[@revision]} (purl-spec's huggingface type); null when the
     * repository is unknown.
     */
    public String purl() {
        if (repository == null) {
            return null;
        }
        int slash = repository.indexOf('/');
        String p = "pkg:huggingface/" + encode(repository.substring(0, slash)) + "/"
                + encode(repository.substring(slash + 1));
        return revision == null ? p : p + "@" + encode(revision);
    }

    /**
     * Whether {@code s} reads as a local path rather than a name: absolute, home- or dot-relative, more than two
     * segments, a weights or tokenizer file name, or an existing file. {@code owner/name} is taken for a name.
     */
    static boolean isPath(String s) {
        if (s.startsWith("/")
                || s.startsWith("~")
                || s.startsWith("./")
                || s.startsWith("../")
                || s.equals(".")
                || s.matches("^[A-Za-z]:/.*")
                || s.startsWith("file:")
                || s.chars().filter(c -> c == '/').count() > 1
                || s.matches("(?i).*\\.(onnx|safetensors|gguf|bin|pt|pth|json|model|tiktoken|ggml)$")) {
            return true;
        }
        try {
            return java.nio.file.Files.exists(java.nio.file.Path.of(s));
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String lastSegment(String s) {
        String t = s;
        while (t.endsWith("/") && t.length() > 1) {
            t = t.substring(0, t.length() - 1);
        }
        if (t.equals(".") || t.endsWith("/.")) {
            t = java.nio.file.Path.of(t).toAbsolutePath().normalize().toString();
        }
        int i = t.lastIndexOf('/');
        String last = i < 0 ? t : t.substring(i + 1);
        return last.isEmpty() ? "model" : last;
    }

    private static String encode(String segment) {
        StringBuilder b = new StringBuilder();
        for (byte x : segment.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (x & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || ".-_~".indexOf(c) >= 0) {
                b.append(c);
            } else {
                b.append('%').append(String.format(Locale.ROOT, "%02X", x & 0xff));
            }
        }
        return b.toString();
    }
}
