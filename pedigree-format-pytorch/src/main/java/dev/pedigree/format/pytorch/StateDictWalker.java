package dev.pedigree.format.pytorch;

import dev.pedigree.format.pytorch.PickleValue.PyDict;
import dev.pedigree.format.pytorch.PickleValue.PyList;
import dev.pedigree.format.pytorch.PickleValue.TensorSpec;
import dev.pedigree.io.CorruptModelException;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the tensors of an unpickled checkpoint: a plain state dict, or one wrapped as
 * {@code {"state_dict": {...}}}, {@code {"model": {...}}} and the like (training checkpoints that
 * also hold optimiser state), falling back to every tensor under dotted paths.
 *
 * <p>Stateless; the walk is iterative in depth only up to {@link #MAX_DEPTH} and visits each
 * container once (shared or cyclic references included), so cyclic or deeply nested hostile values end in a bounded error.
 */
final class StateDictWalker {
    /** Nesting accepted below the root. */
    static final int MAX_DEPTH = 64;

    /** Longest tensor name built from nested keys; longer paths are hostile. */
    static final int MAX_NAME = 4096;

    /** Wrapper keys tried in order when the root holds no tensors itself. */
    static final List<String> WRAPPER_KEYS = List.of(
            "state_dict",
            "model_state_dict",
            "model",
            "module",
            "net",
            "network",
            "params",
            "weights",
            "ema",
            "model_ema",
            "generator");

    /**
     * Result of a walk.
     *
     * @param tensors name to tensor, in pickle order
     * @param prefix the wrapper key the tensors came from, or empty for the root
     */
    record Found(Map<String, TensorSpec> tensors, String prefix, List<String> warnings) {}

    private StateDictWalker() {}

    static Found walk(PickleValue root, String source, long at) throws CorruptModelException {
        java.util.ArrayList<String> warnings = new java.util.ArrayList<>();
        if (root instanceof PyDict dict && !hasDirectTensor(dict)) {
            for (String key : WRAPPER_KEYS) {
                PickleValue inner = dict.entries().get(new PickleValue.Str(key));
                if (inner instanceof PyDict d) {
                    Map<String, TensorSpec> out = new LinkedHashMap<>();
                    collect(d, "", out, 0, new IdentityHashMap<>(), source, at, warnings);
                    if (!out.isEmpty()) {
                        return new Found(out, key, warnings);
                    }
                }
            }
        }
        Map<String, TensorSpec> out = new LinkedHashMap<>();
        collect(root, "", out, 0, new IdentityHashMap<>(), source, at, warnings);
        if (out.isEmpty()) {
            warnings.add("the checkpoint holds no tensors (root is " + root.describe() + ")");
        }
        return new Found(out, "", warnings);
    }

    private static boolean hasDirectTensor(PyDict d) {
        for (PickleValue v : d.entries().values()) {
            if (v instanceof TensorSpec) {
                return true;
            }
        }
        return false;
    }

    private static void collect(
            PickleValue v,
            String path,
            Map<String, TensorSpec> out,
            int depth,
            IdentityHashMap<Object, Boolean> seen,
            String source,
            long at,
            List<String> warnings)
            throws CorruptModelException {
        if (depth > MAX_DEPTH) {
            throw new CorruptModelException(
                    source, at, "checkpoint values nested deeper than " + MAX_DEPTH + " (at " + abbreviate(path) + ")");
        }
        switch (v) {
            case TensorSpec t -> {
                String name = path.isEmpty() ? "tensor" : path;
                if (out.putIfAbsent(name, t) != null) {
                    warnings.add("duplicate tensor name " + abbreviate(name) + " ignored");
                }
            }
            case PyDict d -> {
                if (seen.put(d, Boolean.TRUE) != null) {
                    return;
                }
                for (var e : d.entries().entrySet()) {
                    collect(
                            e.getValue(),
                            join(path, keyText(e.getKey()), source, at),
                            out,
                            depth + 1,
                            seen,
                            source,
                            at,
                            warnings);
                }
            }
            case PyList l -> {
                if (seen.put(l, Boolean.TRUE) != null) {
                    return;
                }
                List<PickleValue> items = l.items();
                for (int i = 0; i < items.size(); i++) {
                    collect(
                            items.get(i),
                            join(path, Integer.toString(i), source, at),
                            out,
                            depth + 1,
                            seen,
                            source,
                            at,
                            warnings);
                }
            }
            case PickleValue.Tuple t -> {
                if (seen.put(t, Boolean.TRUE) != null) {
                    return;
                }
                for (int i = 0; i < t.size(); i++) {
                    collect(
                            t.get(i),
                            join(path, Integer.toString(i), source, at),
                            out,
                            depth + 1,
                            seen,
                            source,
                            at,
                            warnings);
                }
            }
            default -> {
                // Scalars, strings, storages and globals hold no tensors.
            }
        }
    }

    private static String keyText(PickleValue k) {
        return switch (k) {
            case PickleValue.Str s -> s.value();
            case PickleValue.Int i -> Long.toString(i.value());
            default -> k.describe();
        };
    }

    private static String join(String path, String key, String source, long at) throws CorruptModelException {
        if (path.length() + key.length() > MAX_NAME) {
            throw new CorruptModelException(
                    source, at, "tensor path longer than " + MAX_NAME + " characters (" + abbreviate(path) + ")");
        }
        return path.isEmpty() ? key : path + "." + key;
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "...";
    }
}
