package dev.pedigree.format.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.io.ByteSource;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.TensorRef;
import org.junit.jupiter.api.Test;

/** llama.cpp permutes attn_q/attn_k rows for LLaMA-family models; the reader must undo it. */
class QkPermutationTest {
    /**
     * The conversion's forward permutation, written like the Python:
     * {@code w.reshape(n_head, 2, rows/n_head/2, cols).swapaxes(1, 2).reshape(rows, cols)}.
     */
    static float[] permute(float[] w, int rows, int cols, int nHead) {
        int half = rows / nHead / 2;
        float[] out = new float[w.length];
        int dst = 0;
        for (int h = 0; h < nHead; h++) {
            for (int i = 0; i < half; i++) { // swapped axes: (h, i, a)
                for (int a = 0; a < 2; a++) {
                    int srcRow = h * 2 * half + a * half + i; // original index (h, a, i)
                    System.arraycopy(w, srcRow * cols, out, dst * cols, cols);
                    dst++;
                }
            }
        }
        return out;
    }

    private static float[] matrix(int rows, int cols) {
        float[] w = new float[rows * cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) w[r * cols + c] = r * 100 + c;
        return w;
    }

    private static byte[] file(String arch, int rowsQ, int rowsK, int cols, int nHead, int nKv) {
        return new GgufWriter()
                .putString("general.architecture", arch)
                .putU32(arch + ".attention.head_count", nHead)
                .putU32(arch + ".attention.head_count_kv", nKv)
                .addTensor(
                        "blk.0.attn_q.weight",
                        new long[] {rowsQ, cols},
                        permute(matrix(rowsQ, cols), rowsQ, cols, nHead),
                        GgmlType.F32)
                .addTensor(
                        "blk.0.attn_k.weight",
                        new long[] {rowsK, cols},
                        permute(matrix(rowsK, cols), rowsK, cols, nKv),
                        GgmlType.F32)
                .addTensor("blk.0.attn_v.weight", new long[] {rowsK, cols}, matrix(rowsK, cols), GgmlType.F32)
                .toBytes();
    }

    @Test
    void llamaQAndKReadBackAsTheOriginalRows() throws Exception {
        // 4 query heads of dim 8 (32 rows), 2 KV heads (16 rows), 32 columns
        try (ModelView v = GgufReader.open(ByteSource.ofBytes("mem:llama", file("llama", 32, 16, 32, 4, 2)))) {
            TensorRef q = v.tensors().get(0);
            TensorRef k = v.tensors().get(1);
            assertThat(q.readAll()).containsExactly(matrix(32, 32));
            assertThat(k.readAll()).containsExactly(matrix(16, 32));
            assertThat(v.tensors().get(2).readAll()).containsExactly(matrix(16, 32));
            assertThat(((GgufTensor) q).permutedHeads()).isEqualTo(4);
            assertThat(((GgufTensor) k).permutedHeads()).isEqualTo(2);
            // single rows and odd ranges too
            assertThat(q.readRow(13)[5]).isEqualTo(1305f);
            float[] part = new float[3 * 32];
            k.readRows(5, 3, part, 0);
            assertThat(part[0]).isEqualTo(500f);
            assertThat(part[64 + 31]).isEqualTo(731f);
        }
    }

    @Test
    void quantisedLlamaQIsUnpermutedRowWise() throws Exception {
        float[] orig = matrix(16, 32);
        byte[] b = new GgufWriter()
                .putString("general.architecture", "mistral")
                .putU32("mistral.attention.head_count", 2)
                .addTensor("blk.3.attn_q.weight", new long[] {16, 32}, permute(orig, 16, 32, 2), GgmlType.Q8_0)
                .addTensor("ref", new long[] {16, 32}, orig, GgmlType.Q8_0)
                .toBytes();
        try (ModelView v = GgufReader.open(ByteSource.ofBytes("mem:q8", b))) {
            assertThat(v.tensors().get(0).readAll())
                    .containsExactly(v.tensors().get(1).readAll());
        }
    }

    @Test
    void qwen2IsNotPermuted() throws Exception {
        try (ModelView v = GgufReader.open(ByteSource.ofBytes("mem:qwen2", file("qwen2", 32, 16, 32, 4, 2)))) {
            assertThat(v.tensors().get(0).readAll()).containsExactly(permute(matrix(32, 32), 32, 32, 4));
            assertThat(((GgufTensor) v.tensors().get(0)).permutedHeads()).isZero();
        }
    }
}
