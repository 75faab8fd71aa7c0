package dev.pedigree.model.inspect;

import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.Component;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.TensorHashes;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.Vocabulary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Computes an {@link Inspection} from a {@link ModelView}. Hashing reads every tensor once for the
 * raw hash and once for the canonical hash, a bounded number of rows at a time, spread over the
 * available cores.
 */
public final class Inspector {
    private Inspector() {}

    /**
     * @param hashes whether to compute per-tensor hashes (reads the whole model)
     */
    public static Inspection inspect(ModelView view, boolean hashes) throws IOException, ModelFormatException {
        List<TensorRef> tensors = view.tensors();
        String[][] digests = hashes ? hashAll(tensors) : new String[tensors.size()][2];
        List<Inspection.TensorSummary> rows = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            TensorRef t = tensors.get(i);
            TensorAddress a = t.address();
            rows.add(new Inspection.TensorSummary(
                    t.name(),
                    t.dtype().name(),
                    t.shape().dims(),
                    a.component().name(),
                    a.layer(),
                    a.role().name(),
                    a.part().name().toLowerCase(java.util.Locale.ROOT),
                    a.expert(),
                    digests[i][0],
                    digests[i][1]));
        }
        long total = 0;
        for (TensorRef t : tensors) {
            if (t.address().part().isParameter()) {
                total += t.elementCount();
            }
        }
        Vocabulary v = view.vocabulary().orElse(null);
        Inspection.TokenizerSummary tok = v == null
                ? null
                : new Inspection.TokenizerSummary(
                        v.type().jsonName(),
                        v.size(),
                        v.specialCount(),
                        v.merges().size(),
                        v.preTokenizer());
        List<Inspection.FileSummary> files = new ArrayList<>();
        for (Path p : view.files()) {
            files.add(new Inspection.FileSummary(p.toString(), Files.isRegularFile(p) ? Files.size(p) : 0));
        }
        return new Inspection(
                view.source(),
                view.format().jsonName(),
                view.architecture(),
                total,
                components(tensors),
                rows,
                tok,
                view.claims(),
                safety(view),
                files,
                view.warnings());
    }

    /**
     * Metadata key under which a directory reader lists the files beside the weights that cannot be loaded
     * weights-only but run no code ({@code training_args.bin (transformers.training_args.TrainingArguments, ...)}).
     */
    public static final String NOT_WEIGHTS_ONLY = "pedigree.not_weights_only";

    /** SAFE, naming the files beside the weights that a loader could not open weights-only. */
    static Inspection.Safety safety(ModelView view) {
        String detail = "read through a bounded, non-executing parser";
        if (view.metadata().get(NOT_WEIGHTS_ONLY) instanceof String files) {
            detail += "; not loadable weights-only (a loader with weights_only=False imports and constructs these"
                    + " training-metadata classes, none of which runs code): " + files;
        }
        return new Inspection.Safety("SAFE", detail);
    }

    /** Parameters per component (and per role), counting only weights and biases. */
    public static List<Inspection.ComponentSummary> components(List<TensorRef> tensors) {
        Map<Component, Map<String, Long>> roles = new LinkedHashMap<>();
        Map<Component, TreeSet<Integer>> layers = new LinkedHashMap<>();
        for (TensorRef t : tensors) {
            TensorAddress a = t.address();
            if (!a.part().isParameter()) {
                continue;
            }
            roles.computeIfAbsent(a.component(), k -> new TreeMap<>())
                    .merge(a.role().name(), t.elementCount(), Long::sum);
            TreeSet<Integer> ls = layers.computeIfAbsent(a.component(), k -> new TreeSet<>());
            if (a.layer() != null) {
                ls.add(a.layer());
            }
        }
        List<Inspection.ComponentSummary> out = new ArrayList<>();
        roles.forEach((c, rs) -> {
            long sum = rs.values().stream().mapToLong(Long::longValue).sum();
            List<Inspection.RoleCount> rc = rs.entrySet().stream()
                    .map(e -> new Inspection.RoleCount(e.getKey(), e.getValue()))
                    .toList();
            out.add(new Inspection.ComponentSummary(
                    c.name(), c.kind(), sum, layers.get(c).size(), rc));
        });
        out.sort(Comparator.comparingLong(Inspection.ComponentSummary::parameters)
                .reversed()
                .thenComparing(Inspection.ComponentSummary::name));
        return out;
    }

    private static String[][] hashAll(List<TensorRef> tensors) throws IOException, ModelFormatException {
        String[][] out = new String[tensors.size()][2];
        int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), 8));
        try (ExecutorService pool = Executors.newFixedThreadPool(
                threads, Thread.ofPlatform().name("pedigree-hash-", 0).daemon().factory())) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < tensors.size(); i++) {
                int idx = i;
                fs.add(pool.submit(() -> {
                    TensorRef t = tensors.get(idx);
                    try {
                        out[idx][0] = TensorHashes.storedSha256(t);
                        out[idx][1] = t.dtype().decodable() ? TensorHashes.canonicalSha256(t) : null;
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } catch (ModelFormatException e) {
                        throw new WrappedFormatException(e);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    switch (e.getCause()) {
                        case WrappedFormatException w -> throw w.cause;
                        case UncheckedIOException u -> throw u.getCause();
                        case RuntimeException r -> throw r;
                        case Error err -> throw err;
                        default -> throw new IllegalStateException(e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while hashing", e);
                }
            }
        }
        return out;
    }

    /** Carries a checked format exception out of a worker. */
    private static final class WrappedFormatException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient ModelFormatException cause;

        WrappedFormatException(ModelFormatException cause) {
            super(cause);
            this.cause = cause;
        }
    }
}
