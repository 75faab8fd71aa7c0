package dev.pedigree.report.html;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.report.Cases;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens the HTML reports of cases (a) and (c) in headless Chromium (Debian's {@code chromium}
 * package): the page must load with exit code 0, its DOM must hold the answer, Chromium must log no
 * console message (the page has no script at all), and a screenshot is kept in
 * {@code target/screenshots/} for a human to look at. Skipped where Chromium is not installed.
 */
class HeadlessChromiumTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final long TIMEOUT_S = 120;

    /** What one Chromium run left behind. */
    record Run(int exit, String stdout, List<String> consoleLines) {}

    static Run chromium(Path profile, Path out, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                CHROMIUM.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile,
                "--enable-logging=stderr",
                "--v=0"));
        cmd.addAll(List.of(args));
        Path stdout = out.resolve("stdout.txt");
        Path stderr = out.resolve("stderr.txt");
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
        if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish within " + TIMEOUT_S + " s: " + cmd);
        }
        // Chromium logs page console output (console.log/error, uncaught exceptions) on stderr as
        // "[pid:tid:date:INFO:CONSOLE:line] "message", source: URL (line)".
        List<String> console = Files.readAllLines(stderr, StandardCharsets.UTF_8).stream()
                .filter(l -> l.contains(":CONSOLE") || l.contains("Uncaught"))
                .toList();
        return new Run(p.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8), console);
    }

    static void check(
            String name,
            ComparisonResult r,
            String referenceName,
            List<dev.pedigree.model.LineageClaim> claims,
            String answer,
            Path tmp)
            throws Exception {
        Path target = Path.of("target").toAbsolutePath();
        Path shots = Files.createDirectories(target.resolve("screenshots"));
        Path html = target.resolve("report-" + name + ".html");
        Files.writeString(html, HtmlReport.render(r, Cases.context(r, claims, referenceName)), StandardCharsets.UTF_8);
        String url = html.toUri().toString();

        Path domDir = Files.createDirectories(tmp.resolve(name + "-dom"));
        Run dom = chromium(Files.createDirectories(tmp.resolve(name + "-profile1")), domDir, "--dump-dom", url);
        assertThat(dom.exit()).as("chromium --dump-dom exit code").isZero();
        assertThat(dom.stdout())
                .contains("<h1>Do the weights of")
                .contains("How to read this report")
                .contains(answer)
                .contains("id=\"fig-attribution\"");
        assertThat(dom.consoleLines()).as("console messages").isEmpty();

        Path png = shots.resolve("report-" + name + ".png");
        Files.deleteIfExists(png);
        Path shotDir = Files.createDirectories(tmp.resolve(name + "-shot"));
        Run shot = chromium(
                Files.createDirectories(tmp.resolve(name + "-profile2")),
                shotDir,
                "--screenshot=" + png,
                "--window-size=1280,2400",
                url);
        assertThat(shot.exit()).as("chromium --screenshot exit code").isZero();
        assertThat(shot.consoleLines()).as("console messages").isEmpty();
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(1280);
        assertThat(img.getHeight()).isEqualTo(2400);
        System.out.println("screenshot: " + png);
    }

    @Test
    void int8ReportRendersInChromium(@TempDir Path tmp) throws Exception {
        assumeTrue(
                Files.isExecutable(CHROMIUM),
                "Chromium not installed at /usr/bin/chromium (apt-get install chromium); headless browser check skipped");
        check(
                "a-int8",
                Cases.int8(),
                null,
                List.of(),
                "The text encoder (10.6 M parameters, 47% of the model) is related to all-minilm-l6-v2",
                tmp);
    }

    @Test
    void transplantReportRendersInChromium(@TempDir Path tmp) throws Exception {
        assumeTrue(
                Files.isExecutable(CHROMIUM),
                "Chromium not installed at /usr/bin/chromium (apt-get install chromium); headless browser check skipped");
        check(
                "c-transplant",
                Cases.transplant(),
                "openai/clip-vit-large-patch14",
                Cases.transplantClaims(),
                "The vision encoder (632 M parameters, 9% of the model) is related to openai/clip-vit-large-patch14",
                tmp);
    }

    /** The console detector itself: a page that logs must be caught. */
    @Test
    void consoleDetectorCatchesAScriptError(@TempDir Path tmp) throws Exception {
        assumeTrue(
                Files.isExecutable(CHROMIUM),
                "Chromium not installed at /usr/bin/chromium (apt-get install chromium); headless browser check skipped");
        Path page = Files.writeString(
                tmp.resolve("bad.html"),
                "<!DOCTYPE html><html><body><p>x</p><script>console.error('boom'); notDefined();</script></body></html>");
        Run run = chromium(
                Files.createDirectories(tmp.resolve("profile")),
                Files.createDirectories(tmp.resolve("out")),
                "--dump-dom",
                page.toUri().toString());
        assertThat(run.exit()).isZero();
        assertThat(run.consoleLines())
                .anyMatch(l -> l.contains("boom"))
                .anyMatch(l -> l.contains("Uncaught ReferenceError"));
    }
}
