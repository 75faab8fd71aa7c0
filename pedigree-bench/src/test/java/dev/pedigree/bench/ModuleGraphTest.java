package dev.pedigree.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module graph is the architecture: this test reads the real compile-time graph from the compiled classes with
 * {@code jdeps} (package to package, mapped to the module that holds each package) and fails when an arrow points up
 * or skips a layer it must go through, when a module has no layer, or when the README's generated graph is out of
 * date. It runs in pedigree-bench because that module is built last, after every other module's classes exist.
 *
 * <p>To put a new module in: give it a rank in {@link #RANK} (it may depend only on modules of a lower rank). To
 * regenerate the README block: {@code ./mvnw -o -q verify -pl pedigree-bench -Dtest=ModuleGraphTest
 * -Dpedigree.layout.write=true}.
 */
class ModuleGraphTest {
    /**
     * Layers, lowest first: a module may depend only on modules of a strictly lower rank. Modules of one rank never
     * see each other (the format modules, the registry and the attestation ledger).
     */
    static final Map<String, Integer> RANK = Map.ofEntries(
            Map.entry("pedigree-io", 0),
            Map.entry("pedigree-kernels", 0),
            Map.entry("pedigree-testkit", 0),
            Map.entry("pedigree-model", 1),
            Map.entry("pedigree-stats", 1),
            Map.entry("pedigree-format-safetensors", 2),
            Map.entry("pedigree-format-gguf", 2),
            Map.entry("pedigree-format-onnx", 2),
            Map.entry("pedigree-format-pytorch", 2),
            Map.entry("pedigree-format-tokenizers", 2),
            Map.entry("pedigree-forensics", 2),
            Map.entry("pedigree-formats", 3),
            Map.entry("pedigree-fingerprint", 3),
            Map.entry("pedigree-registry", 4),
            Map.entry("pedigree-attest", 4),
            Map.entry("pedigree-report", 5),
            Map.entry("pedigree-cli", 6),
            Map.entry("pedigree-census", 7),
            Map.entry("pedigree-bench", 7));

    /**
     * Arrows that point down but skip the layer that must stand between: above the engine, models are opened through
     * the {@code ModelReader} service interface of pedigree-formats, never through a format module (the CLI reads
     * tokenizers directly for {@code tokens}; the census and the benchmarks read safetensors and GGUF bytes on
     * purpose). The engine and the renderers know no format at all.
     */
    static final Map<String, Set<String>> MAY_NAME_A_FORMAT = Map.of(
            "pedigree-cli", Set.of("pedigree-format-tokenizers"),
            "pedigree-census", Set.of("pedigree-format-safetensors", "pedigree-format-tokenizers"),
            "pedigree-bench", Set.of("pedigree-format-safetensors", "pedigree-format-gguf"));

    static final Set<String> NEVER_SEE_FORMATS =
            Set.of("pedigree-forensics", "pedigree-fingerprint", "pedigree-report", "pedigree-stats");

    private static Path root;
    private static Map<String, Set<String>> graph;

    @BeforeAll
    static void readGraph() throws IOException {
        root = Path.of("").toAbsolutePath().getParent();
        List<String> modules = modules(root);
        List<String> missing = modules.stream()
                .filter(m -> !Files.isDirectory(root.resolve(m).resolve("target/classes")))
                .toList();
        if (!missing.isEmpty()) {
            String why = "modules not compiled yet (run the whole reactor): " + missing;
            if ("true".equals(System.getenv("CI"))) {
                fail(why);
            }
            Assumptions.abort(why);
        }
        Map<String, String> moduleOfPackage = new TreeMap<>();
        for (String m : modules) {
            Path classes = root.resolve(m).resolve("target/classes");
            try (Stream<Path> s = Files.walk(classes)) {
                s.filter(p -> p.toString().endsWith(".class"))
                        .map(p -> classes.relativize(p.getParent()).toString().replace('/', '.'))
                        .distinct()
                        .forEach(pkg -> {
                            String other = moduleOfPackage.putIfAbsent(pkg, m);
                            if (other != null && !other.equals(m)) {
                                fail("package " + pkg + " is split between " + other + " and " + m);
                            }
                        });
            }
        }
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        Pattern edge = Pattern.compile("^\\s+(dev\\.pedigree[\\w.]*)\\s+->\\s+(dev\\.pedigree[\\w.]*)\\s");
        graph = new TreeMap<>();
        for (String m : modules) {
            StringWriter out = new StringWriter();
            int rc = jdeps.run(
                    new PrintWriter(out),
                    new PrintWriter(out),
                    "-verbose:package",
                    "-e",
                    "dev\\.pedigree\\..*",
                    root.resolve(m).resolve("target/classes").toString());
            assertThat(rc).as("jdeps on %s: %s", m, out).isZero();
            Set<String> deps = new TreeSet<>();
            for (String line : out.toString().lines().toList()) {
                Matcher x = edge.matcher(line);
                if (x.find()) {
                    String to = moduleOfPackage.get(x.group(2));
                    assertThat(to)
                            .as("module of package %s (used by %s)", x.group(2), m)
                            .isNotNull();
                    if (!to.equals(m)) {
                        deps.add(to);
                    }
                }
            }
            graph.put(m, deps);
        }
    }

    static List<String> modules(Path root) throws IOException {
        Matcher m = Pattern.compile("<module>([^<]+)</module>")
                .matcher(Files.readString(root.resolve("pom.xml"), StandardCharsets.UTF_8));
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void everyModuleHasALayer() {
        assertThat(RANK.keySet()).containsExactlyInAnyOrderElementsOf(graph.keySet());
    }

    @Test
    void everyArrowPointsDown() {
        List<String> up = new ArrayList<>();
        graph.forEach((from, deps) -> deps.stream()
                .filter(to -> RANK.get(to) >= RANK.get(from))
                .forEach(to ->
                        up.add(from + " (layer " + RANK.get(from) + ") -> " + to + " (layer " + RANK.get(to) + ")")));
        assertThat(up).as("dependencies that point up or sideways").isEmpty();
    }

    @Test
    void formatsAreReachedThroughTheReaderInterface() {
        List<String> skips = new ArrayList<>();
        graph.forEach((from, deps) -> deps.stream()
                .filter(to -> to.startsWith("pedigree-format-"))
                .filter(to -> RANK.get(from) > RANK.get("pedigree-formats")
                        && !MAY_NAME_A_FORMAT.getOrDefault(from, Set.of()).contains(to))
                .forEach(to -> skips.add(from + " -> " + to)));
        NEVER_SEE_FORMATS.forEach(m -> graph.get(m).stream()
                .filter(to -> to.startsWith("pedigree-format"))
                .forEach(to -> skips.add(m + " -> " + to)));
        assertThat(skips)
                .as("arrows that skip pedigree-formats' ModelReader interface")
                .isEmpty();
    }

    @Test
    void benchmarksLiveOnlyInTheBenchModule() throws IOException {
        List<String> found = new ArrayList<>();
        for (String m : graph.keySet()) {
            if (m.equals("pedigree-bench")) {
                continue;
            }
            Path src = root.resolve(m).resolve("src");
            if (!Files.isDirectory(src)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(src)) {
                for (Path p : s.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String name = p.getFileName().toString();
                    String text = Files.readString(p, StandardCharsets.UTF_8);
                    if (name.contains("Benchmark") || text.contains("org.openjdk.jmh")) {
                        found.add(root.relativize(p).toString());
                    }
                }
            }
        }
        assertThat(found).as("benchmarks outside pedigree-bench").isEmpty();
    }

    /** The README's generated block equals the graph read here; regenerate with -Dpedigree.layout.write=true. */
    @Test
    void readmeShowsTheRealGraph() throws IOException {
        Path readme = root.resolve("README.md");
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        String begin = "<!-- module-graph: generated by ModuleGraphTest from jdeps; do not edit -->\n";
        String end = "<!-- module-graph: end -->\n";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        assertThat(b).as("README block start marker").isNotNegative();
        assertThat(e).as("README block end marker").isGreaterThan(b);
        String generated = begin + render() + end;
        String current = text.substring(b, e + end.length());
        if (!current.equals(generated) && Boolean.getBoolean("pedigree.layout.write")) {
            Files.writeString(
                    readme,
                    text.substring(0, b) + generated + text.substring(e + end.length()),
                    StandardCharsets.UTF_8);
            current = generated;
        }
        assertThat(current)
                .as("README module graph is stale: rerun with -Dpedigree.layout.write=true")
                .isEqualTo(generated);
    }

    static String render() {
        StringBuilder sb = new StringBuilder("```\n");
        graph.keySet().stream()
                .sorted(Comparator.comparing((String m) -> -RANK.get(m)).thenComparing(m -> m))
                .forEach(m -> {
                    String deps = String.join(
                            ", ",
                            graph.get(m).stream()
                                    .sorted(Comparator.comparing((String d) -> -RANK.get(d))
                                            .thenComparing(d -> d))
                                    .map(d -> d.substring("pedigree-".length()))
                                    .toList());
                    sb.append(String.format(
                                    "%-3s %-19s %s",
                                    "L" + RANK.get(m),
                                    m.substring("pedigree-".length()),
                                    deps.isEmpty() ? "" : "-> " + deps)
                            .stripTrailing());
                    sb.append('\n');
                });
        return sb.append("```\n").toString();
    }
}
