package dev.pedigree.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a class's {@code main} in a new JVM on the test class path, as the launcher does, with
 * standard output redirected to a file: what an in-process run cannot show (buffers left unflushed
 * when the JVM exits, the exit code {@code System.exit} gives) shows here.
 *
 * @param exit the process's exit code
 * @param stdout everything it wrote to standard output
 * @param stderr everything it wrote to standard error, as text
 */
public record MainProcess(int exit, byte[] stdout, String stderr) {

    /** Runs {@code main} with {@code args} in {@code work} (a folder for the output files); waits up to 5 minutes. */
    public static MainProcess run(Class<?> main, Path work, String... args) {
        return run(main, work, List.of(), args);
    }

    /** As {@link #run(Class, Path, String...)}, with extra JVM options (e.g. {@code -Duser.home=…}). */
    public static MainProcess run(Class<?> main, Path work, List<String> jvmOptions, String... args) {
        try {
            Files.createDirectories(work);
            Path out = Files.createTempFile(work, "stdout", ".bin");
            Path err = Files.createTempFile(work, "stderr", ".txt");
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--add-modules",
                    "jdk.incubator.vector",
                    "--enable-native-access=ALL-UNNAMED",
                    "-Xmx512m"));
            cmd.addAll(jvmOptions);
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(
                        main.getName() + " " + String.join(" ", args) + ": still running after 5 minutes");
            }
            MainProcess r = new MainProcess(
                    p.exitValue(), Files.readAllBytes(out), Files.readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
