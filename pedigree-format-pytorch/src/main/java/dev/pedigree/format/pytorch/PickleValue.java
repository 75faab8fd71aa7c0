package dev.pedigree.format.pytorch;

import dev.pedigree.model.DType;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An inert value produced by {@link RestrictedUnpickler}. Nothing here is ever executed or
 * instantiated from the pickle: calls to allowlisted globals become plain records that describe
 * what PyTorch would have built ({@link TensorSpec} for {@code _rebuild_tensor_v2}).
 *
 * <p>Immutable values ({@link Tuple}) are built from finished children, so they are acyclic and
 * their nesting depth is known and bounded. {@link PyList}, {@link PyDict} and {@link PySet} are
 * mutable while the pickle runs (APPEND, SETITEM, ADDITEMS) and compare by identity, like their
 * Python counterparts are unhashable.
 */
public sealed interface PickleValue {

    /** Nesting depth of this value (1 for scalars); immutable containers track it exactly. */
    default int depth() {
        return 1;
    }

    /** Short human description for error messages (never the full value). */
    String describe();

    /** Python {@code None}. */
    enum PyNone implements PickleValue {
        NONE;

        @Override
        public String describe() {
            return "None";
        }
    }

    /** Python {@code bool}. */
    record Bool(boolean value) implements PickleValue {
        static final Bool TRUE = new Bool(true);
        static final Bool FALSE = new Bool(false);

        @Override
        public String describe() {
            return value ? "True" : "False";
        }
    }

    /** A Python {@code int} that fits in a signed 64-bit value. */
    record Int(long value) implements PickleValue {
        @Override
        public String describe() {
            return Long.toString(value);
        }
    }

    /** A Python {@code int} beyond 64 bits (such as the legacy magic number). */
    record BigInt(BigInteger value) implements PickleValue {
        public BigInt {
            Objects.requireNonNull(value);
        }

        @Override
        public String describe() {
            return "int(" + value.bitLength() + " bits)";
        }
    }

    /** Python {@code float}. */
    record PyFloat(double value) implements PickleValue {
        @Override
        public String describe() {
            return Double.toString(value);
        }
    }

    /** Python {@code str}. */
    record Str(String value) implements PickleValue {
        public Str {
            Objects.requireNonNull(value);
        }

        @Override
        public String describe() {
            return value.length() <= 64 ? "'" + value + "'" : "'" + value.substring(0, 64) + "...'";
        }
    }

    /** Python {@code bytes} (SHORT_BINSTRING, BINBYTES, or {@code _codecs.encode}). */
    record Bytes(byte[] value) implements PickleValue {
        public Bytes {
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        /** Length without copying. */
        public int length() {
            return value.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes b && Arrays.equals(value, b.value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Bytes[" + value.length + "]";
        }

        @Override
        public String describe() {
            return "bytes(" + value.length + ")";
        }
    }

    /** Python {@code tuple}; immutable. */
    record Tuple(List<PickleValue> items, int depth) implements PickleValue {
        public Tuple {
            items = List.copyOf(items);
        }

        static Tuple of(List<PickleValue> items) {
            int d = 0;
            for (PickleValue v : items) {
                d = Math.max(d, v.depth());
            }
            return new Tuple(items, d + 1);
        }

        public int size() {
            return items.size();
        }

        public PickleValue get(int i) {
            return items.get(i);
        }

        @Override
        public String describe() {
            return "tuple(" + items.size() + ")";
        }

        /** Not the record default: a memo-shared tuple tree may be exponentially large when expanded. */
        @Override
        public String toString() {
            return describe();
        }
    }

    /**
     * What the persistent-load hook of torch's pre-0.4 tar loader returns for an id: a storage or
     * tensor deserialised elsewhere, or a module class. Only pickles inside such archives produce it,
     * and only so that they can be scanned for globals; nothing is ever read through it.
     */
    record TarObject(String id) implements PickleValue {
        public TarObject {
            Objects.requireNonNull(id);
        }

        @Override
        public String describe() {
            return "persistent object " + id;
        }
    }

    /** Items in order, mutable while unpickling (APPEND, ADDITEMS), identity semantics. */
    abstract sealed class Items implements PickleValue permits PyList, PySet {
        private final List<PickleValue> items = new ArrayList<>();
        private int depth = 1;

        Items() {}

        void add(PickleValue v) {
            items.add(v);
            depth = Math.max(depth, v.depth() + 1);
        }

        /** Read-only view of the items. */
        public List<PickleValue> items() {
            return Collections.unmodifiableList(items);
        }

        @Override
        public int depth() {
            return depth;
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    /** Python {@code list}. */
    final class PyList extends Items {
        PyList() {}

        @Override
        public String describe() {
            return "list(" + items().size() + ")";
        }
    }

    /**
     * Python {@code set} or {@code frozenset} (EMPTY_SET with ADDITEMS, FROZENSET, or
     * {@code builtins.set(list)}). Items are kept in order and never hashed.
     */
    final class PySet extends Items {
        PySet() {}

        @Override
        public String describe() {
            return "set(" + items().size() + ")";
        }
    }

    /** Python {@code dict} or {@code collections.OrderedDict}; mutable while unpickling, identity semantics. */
    final class PyDict implements PickleValue {
        private final Map<PickleValue, PickleValue> entries = new LinkedHashMap<>();
        private final boolean ordered;
        private int depth = 1;
        private PickleValue state = PyNone.NONE;

        PyDict(boolean ordered) {
            this.ordered = ordered;
        }

        void put(PickleValue k, PickleValue v) {
            entries.put(k, v);
            depth = Math.max(depth, Math.max(k.depth(), v.depth()) + 1);
        }

        void state(PickleValue s) {
            this.state = s;
        }

        /** Whether this came from {@code collections.OrderedDict} (the only dict that accepts BUILD). */
        public boolean ordered() {
            return ordered;
        }

        /** The BUILD state (a state dict's {@code _metadata} holder), or None. */
        public PickleValue state() {
            return state;
        }

        /** Read-only view of the entries in insertion order. */
        public Map<PickleValue, PickleValue> entries() {
            return Collections.unmodifiableMap(entries);
        }

        @Override
        public int depth() {
            return depth;
        }

        @Override
        public String describe() {
            return (ordered ? "OrderedDict(" : "dict(") + entries.size() + ")";
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    /** A global that passed the allowlist: a reference only, never loaded or called. */
    record Global(PickleGlobal kind, String module, String name, DType dtype) implements PickleValue {
        public Global {
            Objects.requireNonNull(kind);
            Objects.requireNonNull(module);
            Objects.requireNonNull(name);
        }

        public String qualifiedName() {
            return module + "." + name;
        }

        @Override
        public String describe() {
            return qualifiedName();
        }
    }

    /** A {@code torch.device(...)} call, recorded as its text. */
    record Device(String spec) implements PickleValue {
        @Override
        public String describe() {
            return "device(" + spec + ")";
        }
    }

    /**
     * A storage named by a persistent id {@code ('storage', type, key, location, numel[, view])}.
     *
     * @param dtype element type of the storage class, or null for {@code torch.UntypedStorage}
     *     (then {@code numel} counts bytes)
     * @param key record name under {@code <d>/data/} (zip) or the root key (legacy)
     * @param numel elements of the storage type (bytes for untyped storages)
     * @param viewOffset legacy storage views: element offset of the view into the root storage
     */
    record StorageRef(DType dtype, String storageClass, String key, String location, long numel, long viewOffset)
            implements PickleValue {
        public StorageRef {
            Objects.requireNonNull(storageClass);
            Objects.requireNonNull(key);
            Objects.requireNonNull(location);
            if (numel < 0 || viewOffset < 0) {
                throw new IllegalArgumentException("negative storage size or view offset");
            }
        }

        @Override
        public String describe() {
            return storageClass + "(key=" + key + ", numel=" + numel + ")";
        }
    }

    /**
     * What {@code torch._utils._rebuild_tensor_v2/_v3} (optionally wrapped by {@code _rebuild_parameter})
     * would return: a strided view of a storage. Sizes, strides and offset are in elements.
     */
    record TensorSpec(
            StorageRef storage, DType dtype, long storageOffset, long[] size, long[] stride, boolean parameter)
            implements PickleValue {
        public TensorSpec {
            Objects.requireNonNull(storage);
            Objects.requireNonNull(dtype);
            size = size.clone();
            stride = stride.clone();
            if (size.length != stride.length) {
                throw new IllegalArgumentException("size and stride ranks differ");
            }
        }

        @Override
        public long[] size() {
            return size.clone();
        }

        @Override
        public long[] stride() {
            return stride.clone();
        }

        TensorSpec asParameter() {
            return new TensorSpec(storage, dtype, storageOffset, size, stride, true);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TensorSpec t
                    && storage.equals(t.storage)
                    && dtype == t.dtype
                    && storageOffset == t.storageOffset
                    && Arrays.equals(size, t.size)
                    && Arrays.equals(stride, t.stride)
                    && parameter == t.parameter;
        }

        @Override
        public int hashCode() {
            return Objects.hash(
                    storage, dtype, storageOffset, Arrays.hashCode(size), Arrays.hashCode(stride), parameter);
        }

        @Override
        public String toString() {
            return describe();
        }

        @Override
        public String describe() {
            return (parameter ? "Parameter" : "Tensor")
                    + "(" + dtype + ", size=" + Arrays.toString(size) + ", stride=" + Arrays.toString(stride)
                    + ", offset=" + storageOffset + ", storage=" + storage.key() + ")";
        }
    }
}
