package dev.pedigree.format.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.kernels.decode.DecodeKernels;
import dev.pedigree.model.DType;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GgmlTypeTest {
    /** id → {elements per block, bytes per block}, from the tables in formats.md §2. */
    private static final Map<Integer, int[]> TABLE = Map.ofEntries(
            Map.entry(0, new int[] {1, 4}),
            Map.entry(1, new int[] {1, 2}),
            Map.entry(30, new int[] {1, 2}),
            Map.entry(8, new int[] {32, 34}),
            Map.entry(2, new int[] {32, 18}),
            Map.entry(3, new int[] {32, 20}),
            Map.entry(6, new int[] {32, 22}),
            Map.entry(7, new int[] {32, 24}),
            Map.entry(10, new int[] {256, 84}),
            Map.entry(11, new int[] {256, 110}),
            Map.entry(12, new int[] {256, 144}),
            Map.entry(13, new int[] {256, 176}),
            Map.entry(14, new int[] {256, 210}),
            Map.entry(16, new int[] {256, 66}),
            Map.entry(17, new int[] {256, 74}),
            Map.entry(18, new int[] {256, 98}),
            Map.entry(19, new int[] {256, 50}),
            Map.entry(20, new int[] {32, 18}),
            Map.entry(21, new int[] {256, 110}),
            Map.entry(22, new int[] {256, 82}),
            Map.entry(23, new int[] {256, 136}),
            Map.entry(29, new int[] {256, 56}),
            Map.entry(39, new int[] {32, 17}),
            Map.entry(40, new int[] {64, 36}),
            Map.entry(24, new int[] {1, 1}),
            Map.entry(25, new int[] {1, 2}),
            Map.entry(26, new int[] {1, 4}),
            Map.entry(27, new int[] {1, 8}),
            Map.entry(28, new int[] {1, 8}));

    @Test
    void everyTabledIdHasItsBlockArithmetic() {
        TABLE.forEach((id, eb) -> {
            GgmlType t = GgmlType.byId(id);
            assertThat(t).as("id %d", id).isNotNull();
            assertThat(t.id()).isEqualTo(id);
            assertThat(t.blockSize()).as("%s block", t).isEqualTo(eb[0]);
            assertThat(t.typeSize()).as("%s bytes", t).isEqualTo(eb[1]);
            assertThat(t.dtype().blockElements()).as("%s DType elements", t).isEqualTo(eb[0]);
            assertThat(t.dtype().blockBytes()).as("%s DType bytes", t).isEqualTo(eb[1]);
        });
    }

    /**
     * The decoding kernels keep their own copy of the three block layouts they decode (pedigree-kernels cannot see
     * this module); GgmlType is the one home of the layout, and this is where the copy is held to it.
     */
    @Test
    void decodeKernelBlockLayoutsAreGgmlTypes() {
        assertThat(DecodeKernels.Q8_0_BLOCK_VALUES).isEqualTo(GgmlType.Q8_0.blockSize());
        assertThat(DecodeKernels.Q8_0_BLOCK_BYTES).isEqualTo(GgmlType.Q8_0.typeSize());
        assertThat(DecodeKernels.QK_K_BLOCK_VALUES)
                .isEqualTo(GgmlType.Q4_K.blockSize())
                .isEqualTo(GgmlType.Q6_K.blockSize());
        assertThat(DecodeKernels.Q4_K_BLOCK_BYTES).isEqualTo(GgmlType.Q4_K.typeSize());
        assertThat(DecodeKernels.Q6_K_BLOCK_BYTES).isEqualTo(GgmlType.Q6_K.typeSize());
    }

    @Test
    void listedOnlyTypesAreKnownByNameButNotDecodable() {
        for (int id : new int[] {9, 15, 16, 17, 18, 19, 20, 21, 22, 23, 29, 34, 35, 39, 40, 41, 42}) {
            GgmlType t = GgmlType.byId(id);
            assertThat(t).as("id %d", id).isNotNull();
            assertThat(t.decodable()).as("%s", t).isFalse();
        }
        assertThat(GgmlType.byId(41)).isEqualTo(GgmlType.Q1_0);
        assertThat(GgmlType.byId(42)).isEqualTo(GgmlType.Q2_0);
        assertThat(GgmlType.Q1_0.layoutKnown()).isFalse();
    }

    @Test
    void removedAndOutOfRangeIdsAreUnknown() {
        for (long id : new long[] {4, 5, 31, 32, 33, 36, 37, 38, 43, 63, 64, -1, 1L << 32}) {
            assertThat(GgmlType.byId(id)).as("id %d", id).isNull();
        }
    }

    @Test
    void byteSizeForUsesWholeBlocks() {
        assertThat(GgmlType.Q4_K.byteSizeFor(4096)).isEqualTo(16 * 144);
        assertThat(GgmlType.Q8_0.byteSizeFor(64)).isEqualTo(68);
        assertThat(GgmlType.F32.byteSizeFor(7)).isEqualTo(28);
        assertThat(GgmlType.BF16.byteSizeFor(3)).isEqualTo(6);
        assertThat(GgmlType.Q8_0.byteSizeFor(33)).isEqualTo(-1);
        assertThat(GgmlType.Q2_0.byteSizeFor(256)).isEqualTo(-1);
        assertThat(GgmlType.Q6_K.dtype()).isEqualTo(DType.Q6_K);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> GgmlType.F64.byteSizeFor(Long.MAX_VALUE / 4))
                .isInstanceOf(ArithmeticException.class);
    }
}
