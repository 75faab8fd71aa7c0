package dev.pedigree.io.http;

import java.net.URI;

/**
 * The printable form of a URL: scheme, host, port and path only. User info and the query string
 * (where signed URLs keep their secrets) are dropped, so a description can go into any message.
 */
final class SafeUrl {
    private SafeUrl() {}

    static String describe(URI uri) {
        StringBuilder sb = new StringBuilder();
        if (uri.getScheme() != null) {
            sb.append(uri.getScheme()).append("://");
        }
        if (uri.getHost() != null) {
            sb.append(
                    uri.getHost().contains(":") && !uri.getHost().startsWith("[")
                            ? "[" + uri.getHost() + "]"
                            : uri.getHost());
        }
        if (uri.getPort() >= 0) {
            sb.append(':').append(uri.getPort());
        }
        String path = uri.getRawPath();
        sb.append(path == null || path.isEmpty() ? "/" : path);
        return sb.toString();
    }
}
