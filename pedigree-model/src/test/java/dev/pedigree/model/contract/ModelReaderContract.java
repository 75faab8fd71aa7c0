package dev.pedigree.model.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.ModelReader;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorRef;
import dev.pedigree.testkit.Mutations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every {@link ModelReader} must do, in the spirit of Lucene's {@code BasePostingsFormatTestCase}: a format
 * module's {@code XReaderContractTest extends ModelReaderContract} supplies its reader, a small valid sample and a
 * floor on typed rejections, and inherits the checks:
 *
 * <ul>
 *   <li>it probes its own sample at 90 or more, and the other formats' samples ({@link ContractSamples}) at 0;
 *   <li>every tensor of its sample reads in full, with as many values as its shape says;
 *   <li>seeded mutants of the sample ({@link Mutations}) either open and read, or throw a {@link
 *       ModelFormatException} naming the file; no other exception, and at least {@link #rejectionFloor()} of them
 *       are rejected, so a reader that accepted everything would fail;
 *   <li>a sample cut short of the bytes its format needs is a {@link CorruptModelException} naming the file and an
 *       offset within the bytes left;
 *   <li>{@link TensorRef#readRows} out of bounds throws {@link IndexOutOfBoundsException}.
 * </ul>
 *
 * <p>Each test writes into its own temporary folder; the class holds no state between tests.
 */
public abstract class ModelReaderContract {
    @TempDir
    protected Path dir;

    /** The reader under test. */
    protected abstract ModelReader reader();

    /**
     * Writes a small valid file of this format into {@code dir}, named as such files are named, and returns it. It
     * must hold at least one decodable tensor, or a vocabulary for a tokenizer format.
     */
    protected abstract Path writeSample(Path dir) throws Exception;

    /**
     * The smallest fraction of mutants that must be rejected with a {@link ModelFormatException}. Set it below the
     * rate measured for the format (the test prints it), so that the floor catches a reader that stops checking.
     */
    protected abstract double rejectionFloor();

    /** How many bytes at the start of the sample hold its structure; mutations land there three times in four. */
    protected int structureBytes(byte[] sample) {
        return sample.length;
    }

    /**
     * How many bytes of the sample the format needs: every cut shorter than this must be refused as corrupt. A format
     * whose files may end early and still be whole (trailing alignment padding, optional trailing protobuf fields)
     * returns where the needed bytes end; longer cuts may open.
     */
    protected int requiredBytes(byte[] sample) throws Exception {
        return sample.length;
    }

    /** Bytes that mutations write half of the time: the format's syntax, for text formats; none by default. */
    protected byte[] dictionary() {
        return new byte[0];
    }

    /** How many mutants to try. */
    protected int mutants() {
        return 400;
    }

    @Test
    void probesItsOwnSampleAt90OrMore() throws Exception {
        Path sample = writeSample(dir);
        assertThat(reader().probe(sample, head(Files.readAllBytes(sample))))
                .as("%s probing its own sample %s", reader().name(), sample.getFileName())
                .isGreaterThanOrEqualTo(90);
    }

    static Stream<ContractSamples.Sample> otherSamples() {
        return ContractSamples.all().stream();
    }

    @ParameterizedTest
    @MethodSource("otherSamples")
    void probesOtherFormatsSamplesAtZero(ContractSamples.Sample other) throws Exception {
        if (other.reader().equals(reader().name())) {
            return; // its own format's sample, probed above
        }
        Path file = other.copyTo(dir);
        assertThat(reader().probe(file, head(Files.readAllBytes(file))))
                .as("%s probing %s's sample %s", reader().name(), other.reader(), other.fileName())
                .isZero();
    }

    @Test
    void readsEveryTensorOfItsSampleInFull() throws Exception {
        Path sample = writeSample(dir);
        try (ModelView v = reader().open(sample)) {
            assertThat(!v.tensors().isEmpty() || v.vocabulary().isPresent())
                    .as("sample %s has tensors or a vocabulary", sample.getFileName())
                    .isTrue();
            for (TensorRef t : v.tensors()) {
                float[] all = t.readAll();
                assertThat((long) all.length).as(t.name()).isEqualTo(t.elementCount());
                assertThat(t.shape().rows() * t.shape().columns()).as(t.name()).isEqualTo(t.elementCount());
                assertThat(t.source()).as(t.name()).isNotBlank();
            }
        }
    }

    @Test
    void mutantsOpenOrFailWithATypedErrorNamingTheFile() throws Exception {
        Path sample = writeSample(dir);
        byte[] valid = Files.readAllBytes(sample);
        int focus = structureBytes(valid);
        SplittableRandom rnd =
                new SplittableRandom(0x5EED_C0DEL ^ reader().name().hashCode());
        Map<String, Integer> outcomes = new TreeMap<>();
        int rejected = 0;
        for (int i = 0; i < mutants(); i++) {
            byte[] m = Mutations.mutate(valid, focus, dictionary(), rnd);
            Files.write(sample, m);
            try {
                openAndReadEverything(sample);
                outcomes.merge("opened", 1, Integer::sum);
            } catch (ModelFormatException e) {
                assertThat(e.getMessage())
                        .as("mutant %d of %s", i, sample.getFileName())
                        .contains(sample.getFileName().toString());
                outcomes.merge(e.getClass().getSimpleName(), 1, Integer::sum);
                rejected++;
            } catch (IOException e) {
                outcomes.merge("IOException", 1, Integer::sum);
            } catch (RuntimeException | Error e) {
                Path kept = dir.resolve("failing-mutant-" + i + "-" + sample.getFileName());
                Files.write(kept, m);
                fail("mutant " + i + " of " + sample.getFileName() + " threw " + e + "; kept at " + kept, e);
            }
        }
        double rate = rejected / (double) mutants();
        System.out.printf(
                "%s contract: %d mutants of %s (%d bytes, structure %d): %s; typed rejections %.3f, floor %.2f%n",
                reader().name(),
                mutants(),
                sample.getFileName(),
                valid.length,
                focus,
                outcomes,
                rate,
                rejectionFloor());
        assertThat(outcomes).doesNotContainKey("IOException");
        assertThat(rate).as("typed rejections of %s mutants", reader().name()).isGreaterThanOrEqualTo(rejectionFloor());
    }

    @Test
    void truncatedSamplesAreCorruptWithAnOffset() throws Exception {
        Path sample = writeSample(dir);
        byte[] valid = Files.readAllBytes(sample);
        int required = requiredBytes(valid);
        int step = Math.max(1, required / 300);
        List<String> wrong = new ArrayList<>();
        for (int n = 0; n < required; n += step) {
            Files.write(sample, Arrays.copyOf(valid, n));
            try {
                openAndReadEverything(sample);
                wrong.add(n + " bytes: opened");
            } catch (CorruptModelException e) {
                if (!e.getMessage().contains(sample.getFileName().toString()) || e.offset() < 0 || e.offset() > n) {
                    wrong.add(n + " bytes: " + e.getMessage());
                }
            } catch (ModelFormatException | RuntimeException e) {
                wrong.add(n + " bytes: " + e);
            }
        }
        assertThat(wrong)
                .as(
                        "%s cut short (of %d bytes) must be corrupt at an offset within the bytes left",
                        sample, valid.length)
                .isEmpty();
    }

    @Test
    void readRowsOutOfBoundsThrowsIndexOutOfBounds() throws Exception {
        Path sample = writeSample(dir);
        try (ModelView v = reader().open(sample)) {
            for (TensorRef t : v.tensors()) {
                Shape s = t.shape();
                long rows = s.rows();
                float[] room = new float[(int) Math.min(Integer.MAX_VALUE - 16, (rows + 1) * s.columns())];
                assertThatThrownBy(() -> t.readRows(-1, 1, room, 0))
                        .as(t.name())
                        .isInstanceOf(IndexOutOfBoundsException.class);
                assertThatThrownBy(() -> t.readRows(rows, 1, room, 0))
                        .as(t.name())
                        .isInstanceOf(IndexOutOfBoundsException.class);
                assertThatThrownBy(() -> t.readRows(0, (int) rows + 1, room, 0))
                        .as(t.name())
                        .isInstanceOf(IndexOutOfBoundsException.class);
                if (s.columns() > 0) {
                    assertThatThrownBy(() -> t.readRows(0, 1, new float[(int) s.columns() - 1], 0))
                            .as(t.name())
                            .isInstanceOf(IndexOutOfBoundsException.class);
                }
            }
        }
    }

    /** Opens the file and reads every tensor (up to a million values each), the vocabulary and the claims. */
    private void openAndReadEverything(Path file) throws IOException, ModelFormatException {
        try (ModelView v = reader().open(file)) {
            for (TensorRef t : v.tensors()) {
                t.storedBytes();
                if (t.elementCount() <= 1 << 20) {
                    t.readAll();
                }
            }
            v.vocabulary();
            v.claims();
        }
    }

    private static byte[] head(byte[] file) {
        return Arrays.copyOf(file, Math.min(file.length, 4096));
    }
}
