package dev.pedigree.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class StandardStreamsTest {
    @Test
    void finishFlushesWhatPrintLeftInTheBuffer() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintWriter out = new PrintWriter(bytes, true);
        String big = "x".repeat(20_000);
        out.print(big); // print does not autoflush: most of it waits in the buffer
        StringWriter err = new StringWriter();
        assertThat(StandardStreams.finish(11, out, new PrintWriter(err))).isEqualTo(11);
        assertThat(bytes.toString()).isEqualTo(big);
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void aFailedWriteToStandardOutputIsAnErrorNotASuccess() {
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        };
        PrintWriter out = new PrintWriter(broken, true);
        out.print("{\"a\": 1}");
        StringWriter err = new StringWriter();
        assertThat(StandardStreams.finish(0, out, new PrintWriter(err))).isEqualTo(StandardStreams.OUTPUT_ERROR);
        assertThat(err.toString()).contains("standard output could not be written");
    }
}
