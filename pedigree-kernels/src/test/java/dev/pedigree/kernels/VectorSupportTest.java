package dev.pedigree.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.kernels.decode.DecodeKernels;
import dev.pedigree.kernels.numeric.Kernels;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The one decision, seen from outside: a fresh JVM per configuration (the choice is made once per JVM, so it cannot
 * be changed within this one) runs {@link Report} and prints the twins in use; standard error must carry exactly one
 * fallback line, with its reason, or none.
 */
class VectorSupportTest {

    /** Prints the chosen twins on standard output, one per line; the logger writes to standard error. */
    public static final class Report {
        private Report() {}

        public static void main(String[] args) {
            System.out.println(VectorSupport.decode().name());
            System.out.println(VectorSupport.numeric().name());
            System.out.println(VectorSupport.decode() == DecodeKernels.scalar());
            System.out.println(VectorSupport.numeric() == Kernels.scalar());
        }
    }

    private record Run(List<String> out, List<String> fallbackLines) {}

    private static Run run(String... jvmArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Report.class.getName()));
        Process p = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("stderr: %s", err).isZero();
        List<String> fallback = err.lines()
                .filter(l -> l.contains("pedigree kernels: scalar fallback"))
                .toList();
        return new Run(out.lines().toList(), fallback);
    }

    @Test
    void withTheIncubatorModuleBothFamiliesRunTheirVectorTwinsSilently() throws Exception {
        Run r = run("--add-modules", "jdk.incubator.vector");
        assertThat(r.out().get(0)).startsWith("vector(");
        assertThat(r.out().get(1)).startsWith("vector(");
        assertThat(r.fallbackLines()).isEmpty();
    }

    @Test
    void withoutTheModuleBothFallBackWithOneLineNamingTheFlag() throws Exception {
        Run r = run();
        assertThat(r.out()).containsExactly("scalar", "scalar", "true", "true");
        assertThat(r.fallbackLines())
                .singleElement()
                .asString()
                .contains("module jdk.incubator.vector is not resolved")
                .contains("--add-modules jdk.incubator.vector");
    }

    @Test
    void thePropertyForcesBothScalarTwinsWithOneLine() throws Exception {
        Run r = run("--add-modules", "jdk.incubator.vector", "-D" + VectorSupport.PROPERTY + "=scalar");
        assertThat(r.out()).containsExactly("scalar", "scalar", "true", "true");
        assertThat(r.fallbackLines()).singleElement().asString().contains("system property pedigree.kernels=scalar");
    }

    @Test
    void aTwinThatCannotBeBuiltGivesItsReasonAndNeverAPartialResult() {
        VectorTwin<String> broken = VectorTwin.build(() -> {
            throw new UnsupportedOperationException("4 lanes");
        });
        assertThat(broken.twin()).isEmpty();
        assertThat(broken.unusable()).hasValueSatisfying(r -> assertThat(r).contains("4 lanes"));
        org.assertj.core.api.Assertions.assertThatThrownBy(broken::require)
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("4 lanes");
        assertThat(VectorTwin.build(() -> "twin").require()).isEqualTo("twin");
    }
}
