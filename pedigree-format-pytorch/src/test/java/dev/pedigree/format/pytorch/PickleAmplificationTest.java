package dev.pedigree.format.pytorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.DType;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pickles that build far more values than their size (issue 18: a 17 KB {@code .pt} whose data.pkl
 * inflates to 18 MB of EMPTY_LIST/EMPTY_DICT/EMPTY_TUPLE opcodes held 900 MB). Each generated
 * sibling stays within the opcode, stack and memo limits, so only the heap budget stops it; the
 * budget here is 1 MiB so the cases are small, and each must end in a corrupt error naming the
 * offset where the budget ran out.
 */
@Timeout(60)
class PickleAmplificationTest {
    static final long BUDGET = 1 << 20;
    static final UnpicklerLimits SMALL =
            new UnpicklerLimits(4_000_000, 1_000_000, 4_096, 32_000_000L, 256, 64 << 20, BUDGET);

    static byte[] repeat(byte[] head, byte[] unit, int times, byte[] tail) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(head);
        for (int i = 0; i < times; i++) {
            b.writeBytes(unit);
        }
        b.writeBytes(tail);
        return b.toByteArray();
    }

    static byte[] p(Object... parts) {
        return RestrictedUnpicklerTest.p(parts);
    }

    static Stream<Arguments> bombs() {
        int n = 200_000;
        return Stream.of(
                Arguments.of("lists appended to a list", repeat(p(0x80, 2, ']'), p(']', 'a'), n, p('.'))),
                Arguments.of("dicts appended to a list", repeat(p(0x80, 2, ']'), p('}', 'a'), n, p('.'))),
                Arguments.of("tuples appended to a list", repeat(p(0x80, 2, ']'), p(')', 'a'), n, p('.'))),
                Arguments.of("sets appended to a list", repeat(p(0x80, 4, ']'), p(0x8f, 'a'), n, p('.'))),
                Arguments.of("empty tuples under one mark", repeat(p(0x80, 2, '('), p(')'), n, p('l', '.'))),
                Arguments.of(
                        "one list appended again and again",
                        repeat(p(0x80, 2, ']', ']', 'q', 0, '0'), p('h', 0, 'a'), n, p('.'))),
                Arguments.of(
                        "lists appended to themselves",
                        repeat(p(0x80, 2, ']', ']'), p('2', 'q', 0, '0', 'h', 0, 'a', '0', ']'), n / 4, p('.'))),
                Arguments.of("memo entries", repeat(p(0x80, 4, 'N'), p(0x94), n, p('.'))),
                Arguments.of("distinct dict keys", dictKeys(n)),
                Arguments.of("short strings", repeat(p(0x80, 2, ']'), p(0x8c, 1, "a", 'a'), n, p('.'))),
                Arguments.of("protocol-0 lists", repeat(p("(lp0\n"), p("(la"), n, p('.'))),
                Arguments.of("ADDITEMS into a set", repeat(p(0x80, 4, 0x8f), p('(', 'N', 0x90), n, p('.'))),
                Arguments.of("nested then shared tuples", sharedTuples(n)));
    }

    static byte[] dictKeys(int n) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(p(0x80, 2, '}'));
        for (int i = 0; i < n; i++) {
            b.writeBytes(p('J', i & 0xFF, (i >>> 8) & 0xFF, (i >>> 16) & 0xFF, 0, 'N', 's'));
        }
        b.writeBytes(p('.'));
        return b.toByteArray();
    }

    static byte[] sharedTuples(int n) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(p(0x80, 2, ']', 'N', 'N', 0x86, 'q', 0, '0'));
        for (int i = 0; i < n; i++) {
            b.writeBytes(p('h', 0, 'h', 0, 0x86, 'a'));
        }
        b.writeBytes(p('.'));
        return b.toByteArray();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bombs")
    void everyAmplificationEndsAtTheHeapBudget(String what, byte[] b) {
        assertThatThrownBy(() -> new RestrictedUnpickler(
                                "bomb.pkl", MemorySegment.ofArray(b), 0, SMALL, RestrictedUnpickler.PersistentIds.ZIP)
                        .load())
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("pickle builds more than 1 MiB of values")
                .satisfies(e -> assertThat(((ModelFormatException) e).offset()).isBetween(1L, (long) b.length - 1));
    }

    @Test
    void aDeflatedBombInAZipCheckpointIsRefusedBeforeItFillsTheHeap() throws Exception {
        // 2 MB of "]a" deflates to a few KB, as the 17 KB .pt held 18 MB of opcodes
        byte[] pkl = repeat(p(0x80, 2, ']'), p(']', 'a'), 1_000_000, p('.'));
        byte[] zip = PytorchWriter.zip(List.of(new PytorchWriter.ZipRecord("archive/data.pkl", pkl, true)), false);
        assertThat(zip.length).isLessThan(pkl.length / 50);
        try (ByteSource src = ByteSource.ofBytes("bomb.pt", zip)) {
            assertThatThrownBy(() -> new PytorchReader(SMALL).tensors(src, ArchitectureHints.NONE))
                    .isInstanceOf(CorruptModelException.class)
                    .hasMessageContaining("pickle builds more than 1 MiB of values")
                    .hasMessageContaining("bomb.pt at offset");
        }
    }

    @Test
    void theFivePicklesOfALegacyStreamShareOneBudget() throws Exception {
        // each pickle alone stays under the budget; together they do not
        byte[] legacy = PytorchWriter.builder()
                .tensor("w", DType.F32, new long[] {2}, new double[] {1, 2})
                .legacyBytes();
        List<byte[]> parts = HostilePickleCorpusTest.legacyParts();
        byte[] half = repeat(p(0x80, 2, ']'), p(']', 'a'), 6_000, p('.'));
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(parts.get(0));
        b.writeBytes(parts.get(1));
        // sys_info with a big list value, then the object with another
        b.writeBytes(p(0x80, 2, '}', 'X', 3, 0, 0, 0, "big"));
        b.writeBytes(java.util.Arrays.copyOfRange(half, 2, half.length - 1));
        b.writeBytes(p('s', '.'));
        b.writeBytes(half);
        b.writeBytes(parts.get(4));
        b.writeBytes(parts.get(5));
        UnpicklerLimits budget =
                new UnpicklerLimits(4_000_000, 1_000_000, 4_096, 32_000_000L, 256, 64 << 20, 1_000_000);
        assertThat(legacy).isNotEmpty();
        try (ByteSource src = ByteSource.ofBytes("legacy.pt", b.toByteArray())) {
            assertThatThrownBy(() -> new PytorchReader(budget).tensors(src, ArchitectureHints.NONE))
                    .isInstanceOf(CorruptModelException.class)
                    .hasMessageContaining("of values");
        }
    }

    @Test
    void realStateDictsFitTheDefaultBudgetWithRoomToSpare() throws Exception {
        PytorchWriter.Builder w = PytorchWriter.builder();
        int n = 5_000;
        for (int i = 0; i < n; i++) {
            w.tensor("model.layers." + i + ".mlp.up_proj.weight", DType.F32, new long[] {1, 1}, new double[] {i});
        }
        byte[] pkl = w.dataPkl();
        PickleBudget budget = UnpicklerLimits.DEFAULT.newBudget();
        new RestrictedUnpickler(
                        "sd.pkl",
                        MemorySegment.ofArray(pkl),
                        0,
                        UnpicklerLimits.DEFAULT,
                        RestrictedUnpickler.PersistentIds.ZIP,
                        budget)
                .load();
        long perTensor = budget.charged() / n;
        // the documented estimate (about 1.7 KB per tensor, so 150k tensors fit the default)
        assertThat(perTensor).isBetween(500L, 1_800L);
        assertThat(150_000L * perTensor).isLessThan(UnpicklerLimits.DEFAULT_VALUE_BYTES);
    }
}
