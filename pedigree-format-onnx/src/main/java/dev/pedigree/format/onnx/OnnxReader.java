package dev.pedigree.format.onnx;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.BasicModelView;
import dev.pedigree.model.ModelFormat;
import dev.pedigree.model.ModelReader;
import dev.pedigree.model.ModelView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Reads ONNX models ({@code .onnx}, onnx.proto ModelProto) without protobuf-java: the file is
 * mapped once and scanned with a zero-copy wire reader, so initialiser bytes stay slices of the
 * mapping. External data files named by initialisers are mapped too, after checking that they
 * stay inside the model's directory.
 *
 * <p>Anonymous initialisers ({@code onnx::MatMul_824}) are tied to their layer through the graph
 * and named like the PyTorch parameter; MatMul weights are presented in canonical {@code [out,
 * in]} layout; onnxruntime dynamic-int8 weights are presented dequantised. See {@link OnnxTensor}.
 *
 * <p>Stateless and thread-safe. The returned view owns the mappings; close it.
 */
public final class OnnxReader implements ModelReader {

    /** ModelProto fields and their wire types (onnx.proto); anything else at the top level is not ONNX. */
    private static int expectedWireType(int field) {
        return switch (field) {
            case 1, 5 -> 0;
            case 2, 3, 4, 6, 7, 8, 14, 20, 25, 26 -> 2;
            default -> -1;
        };
    }

    @Override
    public String name() {
        return "onnx";
    }

    /**
     * Scores the head of the file as a ModelProto: it must begin with {@code ir_version} (tag 0x08)
     * with a plausible value, continue with ModelProto fields of the right wire type, and reach the
     * graph field (tag 0x3A) whose length fits the file.
     */
    @Override
    public int probe(Path file, byte[] head) {
        if (head == null || head.length < 2 || head[0] != 0x08) {
            return 0;
        }
        long fileSize;
        try {
            fileSize = file != null && Files.isRegularFile(file) ? Files.size(file) : head.length;
        } catch (IOException e) {
            fileSize = head.length;
        }
        boolean named = file != null
                && file.getFileName() != null
                && file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx");
        int[] pos = {0};
        int fields = 0;
        while (pos[0] < head.length) {
            long tag = varint(head, pos);
            if (tag < 0) {
                break;
            }
            int field = (int) Math.min(Integer.MAX_VALUE, tag >>> 3);
            int wire = (int) (tag & 7);
            if (expectedWireType(field) != wire) {
                return 0;
            }
            long value = varint(head, pos);
            if (value < 0) {
                break;
            }
            if (field == 1 && (fields != 0 || value < 1 || value > 64)) {
                return 0;
            }
            fields++;
            if (wire == 2) {
                if (value > fileSize - pos[0]) {
                    return 0;
                }
                if (field == 7) {
                    return 95;
                }
                if (value > head.length - pos[0]) {
                    break;
                }
                pos[0] += (int) value;
            }
        }
        return fields >= 1 && named ? 40 : 0;
    }

    /** Reads a varint from {@code b} at {@code pos[0]}; -1 when it runs past the end or is too long. */
    private static long varint(byte[] b, int[] pos) {
        long r = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos[0] >= b.length) {
                return -1;
            }
            int x = b[pos[0]++] & 0xFF;
            r |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return r < 0 ? -1 : r;
            }
        }
        return -1;
    }

    @Override
    public ModelView open(Path file) throws IOException, ModelFormatException {
        ByteSource source = ByteSource.map(file);
        OnnxDataResolver resolver = new OnnxDataResolver(source.description(), file);
        try {
            OnnxModelProto model = OnnxProtoParser.parse(source);
            BasicModelView.Builder view = BasicModelView.builder(source.description(), ModelFormat.ONNX);
            OnnxViewAssembler assembler = new OnnxViewAssembler(source.description(), model, resolver);
            assembler.assemble(view);
            view.file(file);
            for (Path p : resolver.externalFiles()) {
                view.file(p);
            }
            assembler.warnings().forEach(view::warning);
            view.resource(source);
            List<ByteSource> external = resolver.takeSources();
            external.forEach(view::resource);
            return view.build();
        } catch (IOException | ModelFormatException | RuntimeException | Error e) {
            resolver.close();
            source.close();
            throw e;
        }
    }

    /**
     * Parses only the ModelProto structure (header, graph, nodes, initialiser headers) without
     * naming or validating tensor data; for tools that inspect the graph.
     */
    public static OnnxModelProto parseStructure(ByteSource source) throws IOException, ModelFormatException {
        return OnnxProtoParser.parse(source);
    }
}
