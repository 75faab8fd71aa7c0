package dev.pedigree.attest;

import dev.pedigree.formats.ModelOpener;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.ModelView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Records checkpoints into a ledger ({@code pedigree attest record}): opens each checkpoint,
 * computes its {@link ModelHash} and {@link CheckpointSample} in one pass, writes the sample as the
 * entry's sidecar, and appends the hash-chained {@link LedgerEntry}. The sampling seed is drawn at
 * random for the first entry and reused for every later one, so all checkpoint samples of a ledger
 * are aligned. Stateless and thread-safe; concurrent recorders of one ledger serialise on its lock.
 */
public final class Recorder {
    private static final Pattern STEP = Pattern.compile(
            "(?:^|[^a-z])(?:global[-_]?step|step|checkpoint|ckpt|iter(?:ation)?|epoch)[-_=]?0*(\\d{1,18})(?!\\d)",
            Pattern.CASE_INSENSITIVE);

    private Recorder() {}

    /**
     * The outcome of recording one checkpoint.
     *
     * @param seconds wall time of opening, hashing and sampling (the sidecar write and append
     *     included)
     */
    public record Recording(LedgerEntry entry, Path sidecar, long checkpointBytes, long sidecarBytes, double seconds) {
        /** Recording cost in seconds per GB (10^9 bytes) of checkpoint. */
        public double secondsPerGb() {
            return checkpointBytes == 0 ? Double.NaN : seconds / (checkpointBytes / 1e9);
        }

        /** Sidecar size as a fraction of the checkpoint's size. */
        public double sidecarFraction() {
            return checkpointBytes == 0 ? Double.NaN : sidecarBytes / (double) checkpointBytes;
        }
    }

    /**
     * Options.
     *
     * @param seed sampling seed for a new ledger; null draws one at random (an existing ledger's
     *     seed always wins)
     * @param rowSamples rows kept per matrix
     * @param columnSamples columns kept per row
     * @param threads sampling threads
     * @param clock source of {@code recorded_at}
     */
    public record Options(Long seed, int rowSamples, int columnSamples, int threads, Clock clock) {
        public static final Options DEFAULT = new Options(
                null,
                CheckpointSampler.Options.DEFAULT_ROWS,
                CheckpointSampler.Options.DEFAULT_COLUMNS,
                Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())),
                Clock.systemUTC());

        public Options {
            Objects.requireNonNull(clock, "clock");
        }

        public Options withSeed(Long s) {
            return new Options(s, rowSamples, columnSamples, threads, clock);
        }
    }

    /** The step named by a checkpoint's file or directory name ({@code step-000100}, {@code checkpoint-100}, {@code global_step100}, ...). */
    public static OptionalLong stepOf(Path checkpoint) {
        String name =
                checkpoint.getFileName() == null ? "" : checkpoint.getFileName().toString();
        Matcher m = STEP.matcher(name);
        OptionalLong found = OptionalLong.empty();
        while (m.find()) {
            found = OptionalLong.of(Long.parseLong(m.group(1)));
        }
        return found;
    }

    /**
     * Records {@code checkpoint} at {@code step} (null: parse it from the name).
     *
     * @throws LedgerException if no step is given or found, or the step does not follow the ledger's
     *     last step, or another writer appended first (an input error)
     * @throws CorruptModelException if the ledger cannot be parsed
     * @throws ModelFormatException if the checkpoint cannot be read
     */
    public static Recording record(Path ledger, Path checkpoint, Long step, Options o)
            throws IOException, ModelFormatException, LedgerException {
        long started = System.nanoTime();
        long s;
        if (step != null) {
            s = step;
        } else {
            OptionalLong parsed = stepOf(checkpoint);
            if (parsed.isEmpty()) {
                throw new LedgerException("no step in the name " + checkpoint.getFileName()
                        + " (expected e.g. step-000100 or checkpoint-100); give --step");
            }
            s = parsed.getAsLong();
        }
        if (s < 0) {
            throw new LedgerException("negative step " + s);
        }
        List<Ledger.Line> lines = Files.exists(ledger) ? Ledger.read(ledger) : List.of();
        LedgerEntry last = lines.isEmpty() ? null : lines.getLast().entry();
        if (last != null && s <= last.step()) {
            throw new LedgerException(
                    "step " + s + " of " + checkpoint + " does not follow the ledger's last step " + last.step());
        }
        long seed;
        int rows;
        int cols;
        if (lines.isEmpty()) {
            seed = o.seed() != null ? o.seed() : new SecureRandom().nextLong();
            rows = o.rowSamples();
            cols = o.columnSamples();
        } else {
            LedgerEntry.SidecarRef first = lines.getFirst().entry().sidecar();
            seed = first.seed();
            rows = first.rowSamples();
            cols = first.columnSamples();
        }
        CheckpointSample fp;
        try (ModelView view = ModelOpener.open(checkpoint)) {
            fp = CheckpointSampler.of(view, new CheckpointSampler.Options(seed, rows, cols, o.threads()));
        }
        long index = last == null ? 0 : last.index() + 1;
        Path dir = Ledger.sidecarDirectory(ledger);
        Files.createDirectories(dir);
        String fileName = String.format(Locale.ROOT, "%06d-step-%d.pdfp", index, s);
        Path sidecar = dir.resolve(fileName);
        Path tmp = dir.resolve(fileName + ".tmp");
        String sha = CheckpointSampleCodec.write(fp, tmp);
        Files.move(tmp, sidecar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        long sidecarBytes = Files.size(sidecar);
        String rel = ledger.toAbsolutePath()
                .getParent()
                .relativize(sidecar.toAbsolutePath())
                .toString()
                .replace('\\', '/');
        LedgerEntry entry = new LedgerEntry(
                        index,
                        s,
                        checkpoint.toString(),
                        fp.format(),
                        fp.modelHash(),
                        fp.tensors().size(),
                        fp.parameters(),
                        fp.storedBytes(),
                        new LedgerEntry.SidecarRef(rel, sha, sidecarBytes, seed, rows, cols),
                        Instant.now(o.clock()).toString(),
                        last == null ? LedgerEntry.GENESIS : last.entryHash(),
                        null)
                .sealed();
        Ledger.append(ledger, entry);
        double secs = (System.nanoTime() - started) / 1e9;
        return new Recording(entry, sidecar, fp.storedBytes(), sidecarBytes, secs);
    }
}
