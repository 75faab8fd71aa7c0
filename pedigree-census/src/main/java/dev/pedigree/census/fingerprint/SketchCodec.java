package dev.pedigree.census.fingerprint;

import dev.pedigree.census.fingerprint.CensusFingerprint.SketchChannel;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;

/** The bytes of a model's sketch channels in the census tables: {@code int n | n × (int channel, int length, sketch)}. Stateless. */
public final class SketchCodec {
    private SketchCodec() {}

    public static byte[] encode(Map<SketchChannel, ModelSketch> sketches) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer head = ByteBuffer.allocate(4).putInt(sketches.size());
        out.writeBytes(head.array());
        for (SketchChannel c : SketchChannel.values()) {
            ModelSketch s = sketches.get(c);
            if (s == null) {
                continue;
            }
            byte[] b = s.toBytes();
            out.writeBytes(
                    ByteBuffer.allocate(8).putInt(c.ordinal()).putInt(b.length).array());
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    /** @throws IllegalArgumentException if the bytes are not an encoding of {@link #encode} */
    public static Map<SketchChannel, ModelSketch> decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int n = b.getInt();
        Map<SketchChannel, ModelSketch> out = new EnumMap<>(SketchChannel.class);
        for (int i = 0; i < n; i++) {
            int c = b.getInt();
            int len = b.getInt();
            if (c < 0 || c >= SketchChannel.values().length || len < 0 || len > b.remaining()) {
                throw new IllegalArgumentException("corrupt sketch channels at byte " + b.position());
            }
            ByteBuffer s = b.slice(b.position(), len);
            out.put(SketchChannel.values()[c], ModelSketch.fromBytes(s));
            b.position(b.position() + len);
        }
        return out;
    }
}
