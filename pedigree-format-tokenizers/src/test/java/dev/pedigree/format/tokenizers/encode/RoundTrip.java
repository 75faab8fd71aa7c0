package dev.pedigree.format.tokenizers.encode;

import dev.pedigree.model.Token;
import java.io.ByteArrayOutputStream;

/** Decodes ids back to bytes through the vocabulary's normalised token bytes. */
final class RoundTrip {
    private RoundTrip() {}

    static byte[] bytesOf(Encoder e, int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) {
            Token t = e.token(id).orElseThrow(() -> new AssertionError("id " + id + " not in the vocabulary"));
            out.writeBytes(t.bytes());
        }
        return out.toByteArray();
    }
}
