package dev.pedigree.attest;

import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Role;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.TensorScan;
import dev.pedigree.model.naming.TensorNaming;
import dev.pedigree.stats.SeededSample;
import dev.pedigree.stats.SeededSample.SeedMix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Reads every value of a checkpoint once and produces its {@link ModelHash} and its {@link
 * CheckpointSample} (the ledger's sampled record of it) in the same pass ({@link TensorScan}): per
 * logical parameter tensor the canonical SHA-256 ({@link TensorScan.CanonicalSha256}, as {@link
 * dev.pedigree.model.TensorHashes#canonicalSha256}), moments and extremes, the seeded row × column
 * sample, and row norms of token-indexed tensors. Tensors are processed on a small pool of named
 * threads; memory is a few megabytes of scratch per thread plus the samples, whatever the model's
 * size. Stateless and thread-safe.
 */
public final class CheckpointSampler {
    /** Name of the index sampling, recorded in every sidecar so that a change of algorithm is detected. */
    public static final String SAMPLING = "splittable-fisher-yates/v1";

    /**
     * Sampling and parallelism.
     *
     * @param seed seed of the index samples
     * @param rowSamples rows kept per matrix
     * @param columnSamples columns kept per row and per vector
     * @param threads worker threads (1 = the calling thread only)
     */
    public record Options(long seed, int rowSamples, int columnSamples, int threads) {
        /** Rows kept per matrix by default: enough for the lineage tests' power (they need 32 units). */
        public static final int DEFAULT_ROWS = 64;
        /** Columns kept per row by default. */
        public static final int DEFAULT_COLUMNS = 512;

        public Options {
            if (rowSamples < 8 || columnSamples < 8 || threads < 1) {
                throw new IllegalArgumentException("sample sizes must be at least 8 and threads at least 1: "
                        + rowSamples + ", " + columnSamples + ", " + threads);
            }
        }

        /** Default sizes with this seed, and up to four threads. */
        public static Options defaults(long seed) {
            return new Options(
                    seed,
                    DEFAULT_ROWS,
                    DEFAULT_COLUMNS,
                    Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
        }

        public Options withThreads(int t) {
            return new Options(seed, rowSamples, columnSamples, t);
        }
    }

    private CheckpointSampler() {}

    /**
     * Samples {@code view} (which the caller keeps owning).
     *
     * @throws IOException if reading fails
     * @throws ModelFormatException if a tensor is corrupt or cannot be decoded to float32
     */
    public static CheckpointSample of(ModelView view, Options o) throws IOException, ModelFormatException {
        List<TensorRef> params = new ArrayList<>();
        for (TensorRef t : TensorNaming.logicalTensors(view.tensors(), view.hints())) {
            if (t.address().part().isParameter()) {
                params.add(t);
            }
        }
        List<CheckpointSampleTensor> out = new ArrayList<>(params.size());
        if (o.threads() == 1 || params.size() < 2) {
            for (TensorRef t : params) {
                out.add(tensor(t, o));
            }
        } else {
            try (ExecutorService pool = Executors.newFixedThreadPool(
                    o.threads(),
                    Thread.ofPlatform()
                            .name("pedigree-checkpoint-sampler-", 0)
                            .daemon()
                            .factory())) {
                List<Future<CheckpointSampleTensor>> fs = new ArrayList<>();
                for (TensorRef t : params) {
                    fs.add(pool.submit(() -> tensor(t, o)));
                }
                for (Future<CheckpointSampleTensor> f : fs) {
                    out.add(join(f));
                }
            }
        }
        long bytes = 0;
        for (Path p : view.files()) {
            if (Files.isRegularFile(p)) {
                bytes += Files.size(p);
            }
        }
        List<ModelHash.Line> lines = out.stream()
                .map(t -> new ModelHash.Line(t.address(), t.canonicalSha256()))
                .toList();
        return new CheckpointSample(
                o.seed(),
                o.rowSamples(),
                o.columnSamples(),
                ModelHash.of(lines),
                view.source(),
                view.format().jsonName(),
                view.architecture(),
                view.hints(),
                bytes,
                out);
    }

    private static CheckpointSampleTensor join(Future<CheckpointSampleTensor> f)
            throws IOException, ModelFormatException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fingerprinting", e);
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case IOException io -> throw io;
                case ModelFormatException m -> throw m;
                case RuntimeException r -> throw r;
                case Error err -> throw err;
                default -> throw new IllegalStateException(e.getCause());
            }
        }
    }

    /**
     * The sampled indices of a dimension of length {@code n}: {@code k} of them ascending, all of
     * them when {@code n <= k}. They depend only on the seed and {@code n}, so sampled rows of two
     * checkpoints are aligned and sampled columns of a residual dimension agree across tensors;
     * a smaller sample is a subset of a larger one. {@link SeededSample#subset} with the seed mix
     * {@link SeedMix#SPLITMIX64_OF_SEED_XOR_N}, the rule named by {@link #SAMPLING}.
     */
    static int[] indices(long n, int k, long seed) {
        return SeededSample.subset(n, k, seed, SeedMix.SPLITMIX64_OF_SEED_XOR_N);
    }

    /** True for tensors whose rows are indexed by token id. */
    static boolean tokenIndexed(TensorAddress a) {
        return a.layer() == null && (a.role() == Role.EMBEDDING || a.role() == Role.LM_HEAD);
    }

    static CheckpointSampleTensor tensor(TensorRef t, Options o) throws IOException, ModelFormatException {
        Shape s = t.shape();
        long rows = s.rows();
        long cols = s.columns();
        if (cols > TensorScan.CHUNK_VALUES * 16L || rows > Integer.MAX_VALUE) {
            throw new UnsupportedModelException(
                    t.source(), -1, "tensor " + t.name() + " of shape " + s + " is too large to fingerprint");
        }
        boolean matrix = s.rank() >= 2;
        int[] rowIdx = matrix ? indices(rows, o.rowSamples(), o.seed()) : new int[] {0};
        int[] colIdx = indices(cols, o.columnSamples(), o.seed());
        if (s.elementCount() == 0) {
            rowIdx = new int[0];
            colIdx = new int[0];
        }
        TensorScan.CanonicalSha256 hash = new TensorScan.CanonicalSha256();
        CheckpointMoments.Accumulator moments = new CheckpointMoments.Accumulator();
        TensorScan.RowSample sample = new TensorScan.RowSample(rowIdx, colIdx);
        TensorScan.RowNorms norms = tokenIndexed(t.address()) && matrix ? new TensorScan.RowNorms(rows) : null;
        if (norms == null) {
            TensorScan.scan(t, hash, moments, sample);
        } else {
            TensorScan.scan(t, hash, moments, sample, norms);
        }
        return new CheckpointSampleTensor(
                t.name(),
                t.address(),
                t.dtype().name(),
                s.dims(),
                hash.hex(),
                moments.finish(),
                rowIdx.length,
                colIdx.length,
                sample.values(),
                norms == null ? null : norms.norms());
    }
}
