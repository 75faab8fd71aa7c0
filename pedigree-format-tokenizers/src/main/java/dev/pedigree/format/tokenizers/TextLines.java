package dev.pedigree.format.tokenizers;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.SegmentReader;
import dev.pedigree.io.UnsupportedModelException;
import java.io.IOException;

/**
 * Splits a heap copy of a line-oriented tokenizer file ({@code .tiktoken}, {@code merges.txt},
 * {@code vocab.txt}) into lines, remembering each line's byte offset for error messages. Lines end
 * at {@code \n}; a {@code \r} before it is dropped. A final line without a newline counts; the empty
 * "line" after a final newline does not.
 *
 * <p>Not thread-safe; one instance per file.
 */
final class TextLines {
    /** Larger than any real line-oriented vocabulary file (o200k_base.tiktoken is 3.6 MB). */
    static final long MAX_TEXT_BYTES = 128L << 20;

    private final String source;
    private final byte[] data;
    private int pos;
    private int lineStart;
    private int lineEnd;
    private int lineNumber;

    /** Copies a whole line-oriented file onto the heap, after checking it against {@link #MAX_TEXT_BYTES}. */
    static byte[] heapCopy(ByteSource in, String what) throws IOException, ModelFormatException {
        if (in.size() > MAX_TEXT_BYTES) {
            throw new UnsupportedModelException(
                    in.description(),
                    0,
                    what + " of " + in.size() + " bytes exceeds the " + MAX_TEXT_BYTES + "-byte limit for this format");
        }
        return in.readBytes(0, (int) in.size());
    }

    TextLines(String source, byte[] data) {
        this.source = source;
        this.data = data;
    }

    /** Moves to the next line; false at the end of the data. */
    boolean next() {
        if (pos >= data.length) {
            return false;
        }
        lineStart = pos;
        int i = pos;
        while (i < data.length && data[i] != '\n') {
            i++;
        }
        pos = i < data.length ? i + 1 : i;
        lineEnd = i > lineStart && data[i - 1] == '\r' ? i - 1 : i;
        lineNumber++;
        return true;
    }

    /** Byte offset of the current line's first byte. */
    long offset() {
        return lineStart;
    }

    /** 1-based number of the current line. */
    int lineNumber() {
        return lineNumber;
    }

    int start() {
        return lineStart;
    }

    int end() {
        return lineEnd;
    }

    int length() {
        return lineEnd - lineStart;
    }

    byte[] data() {
        return data;
    }

    /** The current line decoded as strict UTF-8. */
    String text(String what) throws CorruptModelException {
        byte[] b = java.util.Arrays.copyOfRange(data, lineStart, lineEnd);
        return SegmentReader.decodeUtf8(b, source, lineStart, what + " on line " + lineNumber);
    }

    CorruptModelException corrupt(String detail) {
        return new CorruptModelException(source, lineStart, detail + " on line " + lineNumber);
    }
}
