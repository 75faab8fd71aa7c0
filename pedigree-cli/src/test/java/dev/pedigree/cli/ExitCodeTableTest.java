package dev.pedigree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The README's exit-code table is the {@link ExitCode} enum, row for row: one table, never a drifting copy. */
class ExitCodeTableTest {
    @Test
    void readmeTableEqualsTheEnum() throws IOException {
        Path readme = Path.of("").toAbsolutePath().getParent().resolve("README.md");
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        int start = text.indexOf("| code | name | meaning |");
        assertThat(start).as("README exit-code table").isNotNegative();
        List<String> rows = new ArrayList<>();
        for (String line : text.substring(start).lines().skip(2).toList()) {
            if (!line.startsWith("|")) {
                break;
            }
            rows.add(line);
        }
        List<String> expected = new ArrayList<>();
        for (ExitCode e : ExitCode.values()) {
            expected.add(String.format(
                    Locale.ROOT,
                    "| %d | %s | %s |",
                    e.code(),
                    e.name(),
                    e.meaning().replace("--verbose", "`--verbose`")));
        }
        assertThat(rows).containsExactlyElementsOf(expected);
    }
}
