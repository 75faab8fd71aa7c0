package dev.pedigree.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.io.Writer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Issue 18: no string from a file reaches the terminal as a control sequence, and an error is one line. */
class PrintableTest {
    @Test
    void escapesEveryControlCharacterAndBidiOverride() {
        assertThat(Printable.escape("a\u001b[31mb\rc\nd\u0000e\u007f\u009b\u202eg\th"))
                .isEqualTo("a\\u001b[31mb\\u000dc\\u000ad\\u0000e\\u007f\\u009b\\u202eg\\u0009h");
        assertThat(Printable.escape("plain: ünïcödé \\ 名前")).isEqualTo("plain: ünïcödé \\ 名前");
        assertThat(Printable.escape(null)).isEqualTo("null");
    }

    /** Generated strings: whatever they hold, the escaped form has no control character at all. */
    @Test
    void generatedStringsBecomeOneVisibleLine() {
        SplittableRandom rnd = new SplittableRandom(18);
        for (int i = 0; i < 2000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = rnd.nextInt(40);
            for (int k = 0; k < n; k++) {
                sb.append((char) (rnd.nextBoolean() ? rnd.nextInt(0x20) : rnd.nextInt(0x3000)));
            }
            String e = Printable.escape(sb.toString());
            assertThat(e.chars().noneMatch(c -> Printable.unsafe((char) c, false)))
                    .as(e)
                    .isTrue();
        }
    }

    @Test
    void theTerminalWriterKeepsLinesAndTabsOnly() throws Exception {
        StringWriter sw = new StringWriter();
        try (Writer w = Printable.terminal(sw)) {
            w.write("name\t\u001b]0;pwned\u0007\n");
            w.write('\r');
            w.write("x\u0000y".toCharArray(), 0, 3);
            w.write("--\u001b--", 2, 1);
        }
        assertThat(sw.toString()).isEqualTo("name\t\\u001b]0;pwned\\u0007\n\\u000dx\\u0000y\\u001b");
    }

    @Test
    void modelFormatExceptionMessagesAreOneLine() {
        CorruptModelException e = new CorruptModelException("dir/we\nird\u0000.bin", 7, "bad name 'a\nb'\u001b[2J");
        assertThat(e.getMessage()).doesNotContain("\n", "\u0000", "\u001b").contains("offset 7");
        assertThat(e.detail()).isEqualTo("bad name 'a\\u000ab'\\u001b[2J");
    }
}
