package dev.pedigree.registry;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where the registry database lives: the {@code --registry DB} flag, else the
 * {@value #ENVIRONMENT} environment variable, else {@code ~/.local/share/pedigree/registry.db}
 * ({@code $XDG_DATA_HOME/pedigree/registry.db} when XDG_DATA_HOME is set). Stateless.
 */
public final class RegistryLocation {
    /** Environment variable naming the registry database. */
    public static final String ENVIRONMENT = "PEDIGREE_REGISTRY";

    private RegistryLocation() {}

    /** Resolves with the process environment and {@code user.home}. */
    public static Path resolve(Path flag) {
        return resolve(flag, System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /**
     * Resolves the database path.
     *
     * @param flag the {@code --registry} value, or null
     * @param env the environment
     * @param home the user's home directory
     */
    public static Path resolve(Path flag, Map<String, String> env, Path home) {
        if (flag != null) {
            return flag;
        }
        String e = env.get(ENVIRONMENT);
        if (e != null && !e.isBlank()) {
            return Path.of(e);
        }
        String xdg = env.get("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank()
                ? Path.of(xdg)
                : home.resolve(".local").resolve("share");
        return base.resolve("pedigree").resolve("registry.db");
    }
}
