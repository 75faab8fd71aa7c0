package dev.pedigree.format.pytorch;

import dev.pedigree.format.pytorch.PickleValue.Bool;
import dev.pedigree.format.pytorch.PickleValue.Global;
import dev.pedigree.format.pytorch.PickleValue.Int;
import dev.pedigree.format.pytorch.PickleValue.PyDict;
import dev.pedigree.format.pytorch.PickleValue.PyList;
import dev.pedigree.format.pytorch.PickleValue.PyNone;
import dev.pedigree.format.pytorch.PickleValue.StorageRef;
import dev.pedigree.format.pytorch.PickleValue.Str;
import dev.pedigree.format.pytorch.PickleValue.TensorSpec;
import dev.pedigree.format.pytorch.PickleValue.Tuple;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.SegmentReader;
import dev.pedigree.io.UnsafeModelException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.DType;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A fail-closed interpreter for the pickles inside PyTorch checkpoints. It implements only the
 * opcodes that {@code torch.save} emits (protocol 2, plus the protocol 3–5 string, framing, memo
 * and STACK_GLOBAL opcodes), resolves globals only against {@link PickleGlobal}'s allowlist, and
 * never executes, imports or instantiates anything: a call to an allowlisted callable becomes an
 * inert {@link PickleValue} describing its result ({@link TensorSpec} for
 * {@code _rebuild_tensor_v2}).
 *
 * <p>Refusals are {@link UnsafeModelException}s naming the opcode or {@code module.global} and the
 * absolute offset; malformed input and exceeded {@link UnpicklerLimits} are
 * {@link CorruptModelException}s. Work is linear in the input size (each opcode consumes at least
 * one byte and every multi-value opcode consumes what it pops), and memory is bounded by the
 * limits.
 *
 * <p>Not thread-safe; one instance reads one pickle ({@link #load()} once).
 *
 * <pre>
 * opcode bytes (pickletools): PROTO 0x80, STOP '.', MARK '(', TUPLE 't', TUPLE1..3 0x85..0x87,
 * EMPTY_TUPLE ')', EMPTY_LIST ']', EMPTY_DICT '}', EMPTY_SET 0x8f, APPEND 'a', APPENDS 'e',
 * SETITEM 's', SETITEMS 'u', BINGET 'h', LONG_BINGET 'j', BINPUT 'q', LONG_BINPUT 'r',
 * MEMOIZE 0x94, NONE 'N', NEWTRUE 0x88, NEWFALSE 0x89, BININT 'J' (i32 LE), BININT1 'K' (u8),
 * BININT2 'M' (u16 LE), LONG1 0x8a (u8 n, n bytes two's complement LE), BINFLOAT 'G' (f64 BE),
 * BINUNICODE 'X' (u32 len), SHORT_BINUNICODE 0x8c (u8), BINUNICODE8 0x8d (u64), SHORT_BINSTRING
 * 'U' (u8), BINBYTES 'B' (u32), SHORT_BINBYTES 'C' (u8), FRAME 0x95 (u64), BINPERSID 'Q',
 * GLOBAL 'c' (module\nname\n), STACK_GLOBAL 0x93, REDUCE 'R', BUILD 'b', NEWOBJ 0x81
 * </pre>
 */
public final class RestrictedUnpickler {
    /** Which persistent-id tuples are accepted. */
    public enum PersistentIds {
        /** Zip format: {@code ('storage', type, key, location, numel)}. */
        ZIP,
        /** Legacy stream: {@code ('storage', type, root_key, location, numel, view_metadata|None)}. */
        LEGACY
    }

    private static final int MAX_GLOBAL_LINE = 512;
    private static final int HIGHEST_PROTOCOL = 5;
    private static final int MAX_TUPLE_KEY = 16;

    private final String source;
    private final SegmentReader in;
    private final UnpicklerLimits limits;
    private final PersistentIds persistentIds;
    private final List<PickleValue> stack = new ArrayList<>();
    private int[] marks = new int[16];
    private int markCount;
    private final Map<Long, PickleValue> memo = new HashMap<>();
    private long ops;
    private long opOffset;
    private boolean loaded;

    /**
     * @param source description of the file, used in every error
     * @param pickle the bytes; the pickle starts at its first byte and may be followed by more data
     * @param base absolute offset of {@code pickle} in the file, so errors report file offsets
     */
    public RestrictedUnpickler(
            String source, MemorySegment pickle, long base, UnpicklerLimits limits, PersistentIds persistentIds) {
        this.source = source;
        this.in = new SegmentReader(source, pickle, base);
        this.limits = limits;
        this.persistentIds = persistentIds;
    }

    /** Unpickles a byte array with the default limits and zip-style persistent ids. */
    public static PickleValue load(String source, byte[] pickle) throws ModelFormatException {
        return new RestrictedUnpickler(
                        source, MemorySegment.ofArray(pickle), 0, UnpicklerLimits.DEFAULT, PersistentIds.ZIP)
                .load();
    }

    /** Bytes consumed so far (after {@link #load()}: the length of the pickle including STOP). */
    public long position() {
        return in.position();
    }

    /**
     * Interprets the pickle up to its STOP opcode and returns the top of the stack.
     *
     * @throws UnsafeModelException on any opcode, global, persistent id, call or BUILD outside the
     *     allowlist (the message names it and the offset)
     * @throws CorruptModelException on malformed or truncated input, or when a limit is exceeded
     * @throws UnsupportedModelException for a pickle protocol above 5
     */
    public PickleValue load() throws ModelFormatException {
        if (loaded) {
            throw new IllegalStateException("load() may be called once");
        }
        loaded = true;
        while (true) {
            opOffset = in.absolutePosition();
            if (!in.hasRemaining()) {
                throw new CorruptModelException(source, opOffset, "pickle ends without STOP opcode");
            }
            if (++ops > limits.maxOps()) {
                throw new CorruptModelException(source, opOffset, "pickle exceeds " + limits.maxOps() + " opcodes");
            }
            int op = in.u8("pickle opcode");
            switch (op) {
                case 0x80 -> { // PROTO
                    int v = in.u8("PROTO version");
                    if (v > HIGHEST_PROTOCOL) {
                        throw new UnsupportedModelException(
                                source, opOffset, "pickle protocol " + v + " is newer than 5");
                    }
                }
                case '.' -> { // STOP
                    return pop();
                }
                case '(' -> pushMark();
                case 't' -> push(tuple(popMark()));
                case ')' -> push(Tuple.of(List.of()));
                case 0x85 -> push(tuple(popN(1)));
                case 0x86 -> push(tuple(popN(2)));
                case 0x87 -> push(tuple(popN(3)));
                case 'N' -> push(PyNone.NONE);
                case 0x88 -> push(new Bool(true));
                case 0x89 -> push(new Bool(false));
                case ']' -> push(new PyList());
                case '}' -> push(new PyDict(false));
                case 0x8f -> push(new PickleValue.PySet(List.of(), 1));
                case 'a' -> { // APPEND
                    PickleValue v = pop();
                    append(peek(), List.of(v));
                }
                case 'e' -> { // APPENDS
                    List<PickleValue> items = popMark();
                    append(peek(), items);
                }
                case 's' -> { // SETITEM
                    PickleValue v = pop();
                    PickleValue k = pop();
                    setItems(peek(), List.of(k, v));
                }
                case 'u' -> { // SETITEMS
                    List<PickleValue> items = popMark();
                    setItems(peek(), items);
                }
                case 'h' -> push(memoGet(in.u8("BINGET index")));
                case 'j' -> push(memoGet(in.u32("LONG_BINGET index")));
                case 'q' -> memoPut(in.u8("BINPUT index"));
                case 'r' -> memoPut(in.u32("LONG_BINPUT index"));
                case 0x94 -> memoPut(memo.size());
                case 'J' -> push(new Int(in.i32("BININT")));
                case 'K' -> push(new Int(in.u8("BININT1")));
                case 'M' -> push(new Int(in.u16("BININT2")));
                case 0x8a -> push(long1());
                case 'G' ->
                    push(new PickleValue.PyFloat(Double.longBitsToDouble(Long.reverseBytes(in.i64("BINFLOAT")))));
                case 'X' -> push(new Str(utf8(in.u32("BINUNICODE length"), "BINUNICODE")));
                case 0x8c -> push(new Str(utf8(in.u8("SHORT_BINUNICODE length"), "SHORT_BINUNICODE")));
                case 0x8d -> push(new Str(utf8(u64Length("BINUNICODE8 length"), "BINUNICODE8")));
                case 'U' -> push(shortBinString());
                case 'B' -> push(new PickleValue.Bytes(bytes(in.u32("BINBYTES length"), "BINBYTES")));
                case 'C' -> push(new PickleValue.Bytes(bytes(in.u8("SHORT_BINBYTES length"), "SHORT_BINBYTES")));
                case 0x95 -> { // FRAME: framing is advisory; only check the claimed length
                    long n = u64Length("FRAME length");
                    if (n > in.remaining()) {
                        throw corrupt("FRAME claims " + n + " bytes, " + in.remaining() + " remain");
                    }
                }
                case 'Q' -> push(persistentLoad(pop()));
                case 'c' -> {
                    String module = line("GLOBAL module");
                    String name = line("GLOBAL name");
                    push(global(module, name, "GLOBAL"));
                }
                case 0x93 -> { // STACK_GLOBAL
                    PickleValue name = pop();
                    PickleValue module = pop();
                    if (!(module instanceof Str m) || !(name instanceof Str n)) {
                        throw corrupt(
                                "STACK_GLOBAL needs two strings, got " + module.describe() + " and " + name.describe());
                    }
                    push(global(m.value(), n.value(), "STACK_GLOBAL"));
                }
                case 'R' -> { // REDUCE
                    PickleValue args = pop();
                    PickleValue callable = pop();
                    push(call(callable, args, "REDUCE"));
                }
                case 0x81 -> { // NEWOBJ
                    PickleValue args = pop();
                    PickleValue cls = pop();
                    if (!(cls instanceof Global g)
                            || (g.kind() != PickleGlobal.ORDERED_DICT && g.kind() != PickleGlobal.PARAMETER)) {
                        throw new UnsafeModelException(source, opOffset, "refused NEWOBJ on " + cls.describe());
                    }
                    push(call(cls, args, "NEWOBJ"));
                }
                case 'b' -> build(pop(), peek());
                default ->
                    throw new UnsafeModelException(
                            source,
                            opOffset,
                            "refused pickle opcode " + opcodeName(op) + " (0x" + String.format("%02x", op) + ")");
            }
        }
    }

    // ---------------------------------------------------------------- stack and marks

    private int fence() {
        return markCount == 0 ? 0 : marks[markCount - 1];
    }

    private void push(PickleValue v) throws CorruptModelException {
        if (stack.size() >= limits.maxStack()) {
            throw corrupt("pickle stack exceeds " + limits.maxStack() + " values");
        }
        if (v.depth() > limits.maxNesting()) {
            throw corrupt("pickle values nested deeper than " + limits.maxNesting());
        }
        stack.add(v);
    }

    private PickleValue pop() throws CorruptModelException {
        if (stack.size() <= fence()) {
            throw corrupt("pickle stack underflow");
        }
        return stack.removeLast();
    }

    private PickleValue peek() throws CorruptModelException {
        if (stack.size() <= fence()) {
            throw corrupt("pickle stack underflow");
        }
        return stack.getLast();
    }

    private List<PickleValue> popN(int n) throws CorruptModelException {
        if (stack.size() - fence() < n) {
            throw corrupt("pickle stack underflow");
        }
        List<PickleValue> top = stack.subList(stack.size() - n, stack.size());
        List<PickleValue> out = new ArrayList<>(top);
        top.clear();
        return out;
    }

    private void pushMark() throws CorruptModelException {
        if (markCount >= limits.maxMarks()) {
            throw corrupt("pickle MARKs nested deeper than " + limits.maxMarks());
        }
        if (markCount == marks.length) {
            marks = Arrays.copyOf(marks, Math.min(limits.maxMarks(), marks.length * 2));
        }
        marks[markCount++] = stack.size();
    }

    private List<PickleValue> popMark() throws CorruptModelException {
        if (markCount == 0) {
            throw corrupt("pickle opcode needs a MARK but none is open");
        }
        int m = marks[--markCount];
        List<PickleValue> top = stack.subList(m, stack.size());
        List<PickleValue> out = new ArrayList<>(top);
        top.clear();
        return out;
    }

    private Tuple tuple(List<PickleValue> items) throws CorruptModelException {
        Tuple t = Tuple.of(items);
        if (t.depth() > limits.maxNesting()) {
            throw corrupt("pickle values nested deeper than " + limits.maxNesting());
        }
        return t;
    }

    // ---------------------------------------------------------------- containers

    private void append(PickleValue target, List<PickleValue> items) throws ModelFormatException {
        if (!(target instanceof PyList list)) {
            throw new UnsafeModelException(
                    source, opOffset, "refused APPEND to " + target.describe() + " (only lists)");
        }
        for (PickleValue v : items) {
            list.add(v);
        }
        checkNesting(list);
    }

    private void setItems(PickleValue target, List<PickleValue> kv) throws ModelFormatException {
        if (!(target instanceof PyDict dict)) {
            throw new UnsafeModelException(
                    source, opOffset, "refused SETITEM on " + target.describe() + " (only dicts)");
        }
        if (kv.size() % 2 != 0) {
            throw corrupt("SETITEMS with an odd number (" + kv.size() + ") of keys and values");
        }
        for (int i = 0; i < kv.size(); i += 2) {
            PickleValue k = kv.get(i);
            checkKey(k);
            dict.put(k, kv.get(i + 1));
        }
        checkNesting(dict);
    }

    /**
     * Dict keys are limited to scalars and short flat tuples of scalars. Hashing and comparing a
     * key then costs O(1): a memo-shared tuple tree could otherwise take exponential time to hash.
     */
    private void checkKey(PickleValue k) throws CorruptModelException {
        boolean ok = switch (k) {
            case Str _, PickleValue.Int _, PickleValue.BigInt _, Bool _, PickleValue.PyFloat _, PyNone _ -> true;
            case Tuple t -> {
                boolean flat = t.size() <= MAX_TUPLE_KEY;
                for (PickleValue v : t.items()) {
                    flat &= v instanceof Str
                            || v instanceof PickleValue.Int
                            || v instanceof Bool
                            || v instanceof PyNone;
                }
                yield flat;
            }
            default -> false;
        };
        if (!ok) {
            throw corrupt(
                    "unsupported dict key " + k.describe() + " (checkpoint dicts are keyed by strings and numbers)");
        }
    }

    private void checkNesting(PickleValue v) throws CorruptModelException {
        if (v.depth() > limits.maxNesting()) {
            throw corrupt("pickle values nested deeper than " + limits.maxNesting());
        }
    }

    private void build(PickleValue state, PickleValue target) throws ModelFormatException {
        switch (target) {
            case TensorSpec _ -> {
                // Tensor state (requires_grad, hooks, python attributes) carries no weights; ignore it.
            }
            case PyDict d when d.ordered() -> d.state(state);
            default ->
                throw new UnsafeModelException(
                        source,
                        opOffset,
                        "refused BUILD on " + target.describe() + " (only tensors, parameters and OrderedDict)");
        }
    }

    // ---------------------------------------------------------------- memo

    private PickleValue memoGet(long key) throws CorruptModelException {
        PickleValue v = memo.get(key);
        if (v == null) {
            throw corrupt("memo key " + key + " is not defined");
        }
        return v;
    }

    private void memoPut(long key) throws CorruptModelException {
        PickleValue v = peek();
        if (!memo.containsKey(key) && memo.size() >= limits.maxMemo()) {
            throw corrupt("pickle memo exceeds " + limits.maxMemo() + " entries");
        }
        memo.put(key, v);
    }

    // ---------------------------------------------------------------- scalars and strings

    private PickleValue long1() throws CorruptModelException {
        int n = in.u8("LONG1 length");
        byte[] le = in.bytes(n, "LONG1 value");
        if (n == 0) {
            return new Int(0);
        }
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) {
            be[i] = le[n - 1 - i];
        }
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? new Int(v.longValue()) : new PickleValue.BigInt(v);
    }

    private long u64Length(String what) throws CorruptModelException {
        long at = in.absolutePosition();
        long n = in.i64(what);
        if (n < 0) {
            throw new CorruptModelException(
                    source, at, what + " " + Long.toUnsignedString(n) + " is implausibly large");
        }
        return n;
    }

    private byte[] bytes(long n, String what) throws CorruptModelException {
        if (n > in.remaining()) {
            throw corrupt(what + " claims " + n + " bytes, " + in.remaining() + " remain");
        }
        if (n > limits.maxStringBytes()) {
            throw corrupt(what + " of " + n + " bytes exceeds the limit of " + limits.maxStringBytes());
        }
        return in.bytes(n, what);
    }

    private String utf8(long n, String what) throws CorruptModelException {
        long at = in.absolutePosition();
        return SegmentReader.decodeUtf8(bytes(n, what), source, at, what);
    }

    /** Protocol-2 {@code str} from Python 2; torch loads it as UTF-8 text. Non-text stays bytes. */
    private PickleValue shortBinString() throws CorruptModelException {
        long at = in.absolutePosition();
        byte[] b = bytes(in.u8("SHORT_BINSTRING length"), "SHORT_BINSTRING");
        try {
            return new Str(SegmentReader.decodeUtf8(b, source, at, "SHORT_BINSTRING"));
        } catch (CorruptModelException e) {
            return new PickleValue.Bytes(b);
        }
    }

    private String line(String what) throws CorruptModelException {
        long start = in.position();
        long limit = Math.min(in.remaining(), MAX_GLOBAL_LINE + 1);
        MemorySegment seg = in.segment();
        for (long i = 0; i < limit; i++) {
            if (seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, start + i) == '\n') {
                long at = in.absolutePosition();
                byte[] b = in.bytes(i, what);
                in.skip(1, what);
                String s = SegmentReader.decodeUtf8(b, source, at, what);
                if (s.isEmpty()) {
                    throw new CorruptModelException(source, at, what + " is empty");
                }
                return s;
            }
        }
        throw corrupt(what + " is not a newline-terminated line of at most " + MAX_GLOBAL_LINE + " bytes");
    }

    // ---------------------------------------------------------------- globals and calls

    private Global global(String module, String name, String opcode) throws UnsafeModelException {
        Optional<Global> g = PickleGlobal.resolve(module, name);
        if (g.isEmpty()) {
            PickleGlobal.Safety safety = PickleGlobal.classify(module, name);
            throw new UnsafeModelException(
                    source,
                    opOffset,
                    "refused global " + printable(module) + "." + printable(name) + " (" + safety.label() + ", via "
                            + opcode + ")");
        }
        return g.get();
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 128));
        for (int i = 0; i < s.length() && i < 128; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return s.length() > 128 ? b + "..." : b.toString();
    }

    private PickleValue call(PickleValue callable, PickleValue argsValue, String opcode) throws ModelFormatException {
        if (!(callable instanceof Global g)) {
            throw new UnsafeModelException(
                    source,
                    opOffset,
                    "refused " + opcode + " on " + callable.describe() + " (not an allowlisted callable)");
        }
        if (!(argsValue instanceof Tuple args)) {
            throw corrupt(
                    opcode + " on " + g.qualifiedName() + " needs an argument tuple, got " + argsValue.describe());
        }
        return switch (g.kind()) {
            case ORDERED_DICT -> orderedDict(args);
            case REBUILD_TENSOR_V2 -> {
                arity(g, args, 6, 7);
                yield rebuildTensor(g, args, null);
            }
            case REBUILD_TENSOR_V3 -> {
                arity(g, args, 7, 8);
                if (!(args.get(6) instanceof Global d) || d.kind() != PickleGlobal.DTYPE) {
                    throw corrupt(g.qualifiedName() + " argument 7 must be a torch dtype, got "
                            + args.get(6).describe());
                }
                yield rebuildTensor(g, args, d.dtype());
            }
            case REBUILD_PARAMETER -> {
                arity(g, args, 3, 3);
                yield tensorArg(g, args, 0).asParameter();
            }
            case REBUILD_PARAMETER_WITH_STATE -> {
                arity(g, args, 4, 4);
                yield tensorArg(g, args, 0).asParameter();
            }
            case REBUILD_FROM_TYPE_V2 -> rebuildFromType(g, args, opcode);
            case PARAMETER -> {
                arity(g, args, 1, 2);
                yield tensorArg(g, args, 0).asParameter();
            }
            case SIZE -> {
                arity(g, args, 1, 1);
                List<PickleValue> dims = sequence(args.get(0), g);
                for (PickleValue d : dims) {
                    if (!(d instanceof Int)) {
                        throw corrupt("torch.Size expects integers, got " + d.describe());
                    }
                }
                yield tuple(dims);
            }
            case DEVICE -> {
                arity(g, args, 1, 2);
                if (!(args.get(0) instanceof Str s)) {
                    throw corrupt(
                            "torch.device expects a string, got " + args.get(0).describe());
                }
                yield new PickleValue.Device(
                        args.size() == 2 ? s.value() + ":" + args.get(1).describe() : s.value());
            }
            case CODECS_ENCODE -> codecsEncode(g, args);
            case SET -> {
                arity(g, args, 0, 1);
                List<PickleValue> items = args.size() == 0 ? List.of() : sequence(args.get(0), g);
                int depth = 0;
                for (PickleValue v : items) {
                    depth = Math.max(depth, v.depth());
                }
                PickleValue.PySet s = new PickleValue.PySet(items, depth + 1);
                checkNesting(s);
                yield s;
            }
            case TENSOR, STORAGE_TYPE, UNTYPED_STORAGE, DTYPE ->
                throw new UnsafeModelException(
                        source,
                        opOffset,
                        "refused " + opcode + " on " + g.qualifiedName() + " (not callable in a checkpoint)");
        };
    }

    private void arity(Global g, Tuple args, int min, int max) throws UnsafeModelException {
        if (args.size() < min || args.size() > max) {
            String expected = min == max ? Integer.toString(min) : min + " to " + max;
            throw new UnsafeModelException(
                    source,
                    opOffset,
                    "refused call of " + g.qualifiedName() + " with " + args.size() + " arguments (expected " + expected
                            + ")");
        }
    }

    private List<PickleValue> sequence(PickleValue v, Global g) throws CorruptModelException {
        return switch (v) {
            case Tuple t -> t.items();
            case PyList l -> l.items();
            default -> throw corrupt(g.qualifiedName() + " expects a tuple or list, got " + v.describe());
        };
    }

    private PickleValue orderedDict(Tuple args) throws ModelFormatException {
        PyDict d = new PyDict(true);
        if (args.size() == 0) {
            return d;
        }
        if (args.size() != 1) {
            throw new UnsafeModelException(
                    source, opOffset, "refused call of collections.OrderedDict with " + args.size() + " arguments");
        }
        switch (args.get(0)) {
            case PyDict src -> {
                // Keys were checked when they entered src.
                for (var e : src.entries().entrySet()) {
                    d.put(e.getKey(), e.getValue());
                }
            }
            case PyList l -> {
                for (PickleValue item : l.items()) {
                    if (!(item instanceof Tuple pair) || pair.size() != 2) {
                        throw corrupt("OrderedDict expects (key, value) pairs, got " + item.describe());
                    }
                    checkKey(pair.get(0));
                    d.put(pair.get(0), pair.get(1));
                }
            }
            default ->
                throw corrupt("OrderedDict expects a dict or list of pairs, got "
                        + args.get(0).describe());
        }
        checkNesting(d);
        return d;
    }

    private TensorSpec tensorArg(Global g, Tuple args, int i) throws CorruptModelException {
        if (!(args.get(i) instanceof TensorSpec t)) {
            throw corrupt(g.qualifiedName() + " argument " + (i + 1) + " must be a tensor, got "
                    + args.get(i).describe());
        }
        return t;
    }

    private PickleValue rebuildFromType(Global g, Tuple args, String opcode) throws ModelFormatException {
        arity(g, args, 4, 4);
        if (!(args.get(1) instanceof Global type)
                || (type.kind() != PickleGlobal.PARAMETER && type.kind() != PickleGlobal.TENSOR)) {
            throw new UnsafeModelException(
                    source,
                    opOffset,
                    "refused " + g.qualifiedName() + " with type " + args.get(1).describe()
                            + " (only Parameter or Tensor)");
        }
        if (!(args.get(0) instanceof Global func)
                || (func.kind() != PickleGlobal.REBUILD_TENSOR_V2 && func.kind() != PickleGlobal.REBUILD_TENSOR_V3)) {
            throw new UnsafeModelException(
                    source,
                    opOffset,
                    "refused " + g.qualifiedName() + " with function "
                            + args.get(0).describe());
        }
        PickleValue result = call(func, args.get(2), opcode);
        if (!(result instanceof TensorSpec t)) {
            throw corrupt(g.qualifiedName() + " did not describe a tensor");
        }
        return type.kind() == PickleGlobal.PARAMETER ? t.asParameter() : t;
    }

    private PickleValue codecsEncode(Global g, Tuple args) throws ModelFormatException {
        arity(g, args, 2, 2);
        if (!(args.get(0) instanceof Str text) || !(args.get(1) instanceof Str enc)) {
            throw corrupt("_codecs.encode expects (str, encoding)");
        }
        String e = enc.value();
        if (!e.equals("latin1") && !e.equals("latin-1") && !e.equals("iso-8859-1")) {
            throw new UnsafeModelException(source, opOffset, "refused _codecs.encode with encoding " + printable(e));
        }
        String s = text.value();
        byte[] out = new byte[s.length()];
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0xFF) {
                throw corrupt("_codecs.encode: character U+" + Integer.toHexString(c) + " is not latin-1");
            }
            out[i] = (byte) c;
        }
        return new PickleValue.Bytes(out);
    }

    private TensorSpec rebuildTensor(Global g, Tuple args, DType explicit) throws ModelFormatException {
        if (!(args.get(0) instanceof StorageRef storage)) {
            throw corrupt(g.qualifiedName() + " argument 1 must be a storage, got "
                    + args.get(0).describe());
        }
        long offset = nonNegative(args.get(1), g, "storage_offset");
        long[] size = dims(args.get(2), g, "size");
        long[] stride = dims(args.get(3), g, "stride");
        if (size.length != stride.length) {
            throw corrupt(g.qualifiedName() + ": size has " + size.length + " dimensions, stride " + stride.length);
        }
        if (!(args.get(4) instanceof Bool)) {
            throw corrupt(g.qualifiedName() + " argument 5 (requires_grad) must be a bool, got "
                    + args.get(4).describe());
        }
        PickleValue hooks = args.get(5);
        if (!(hooks instanceof PyDict) && hooks != PyNone.NONE) {
            throw corrupt(g.qualifiedName() + " argument 6 (backward_hooks) must be a dict, got " + hooks.describe());
        }
        DType dtype = explicit != null ? explicit : storage.dtype();
        if (dtype == null) {
            throw corrupt(g.qualifiedName() + " on an untyped storage needs an explicit dtype");
        }
        return new TensorSpec(storage, dtype, offset, size, stride, false);
    }

    private long nonNegative(PickleValue v, Global g, String what) throws CorruptModelException {
        if (!(v instanceof Int i) || i.value() < 0) {
            throw corrupt(g.qualifiedName() + ": " + what + " must be a non-negative integer, got " + v.describe());
        }
        return i.value();
    }

    private long[] dims(PickleValue v, Global g, String what) throws ModelFormatException {
        if (!(v instanceof Tuple t)) {
            throw corrupt(g.qualifiedName() + ": " + what + " must be a tuple, got " + v.describe());
        }
        if (t.size() > dev.pedigree.model.Shape.MAX_RANK) {
            throw new UnsupportedModelException(
                    source,
                    opOffset,
                    g.qualifiedName() + ": " + what + " has rank " + t.size() + " above "
                            + dev.pedigree.model.Shape.MAX_RANK);
        }
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = nonNegative(t.get(i), g, what + "[" + i + "]");
        }
        return out;
    }

    // ---------------------------------------------------------------- persistent ids

    private StorageRef persistentLoad(PickleValue pid) throws ModelFormatException {
        if (!(pid instanceof Tuple t) || t.size() == 0) {
            throw new UnsafeModelException(
                    source,
                    opOffset,
                    "refused persistent id " + pid.describe() + " (expected a ('storage', ...) tuple)");
        }
        if (!(t.get(0) instanceof Str tag) || !tag.value().equals("storage")) {
            throw new UnsafeModelException(
                    source,
                    opOffset,
                    "refused persistent id of kind " + t.get(0).describe() + " (only 'storage')");
        }
        int expected = persistentIds == PersistentIds.ZIP ? 5 : 6;
        if (t.size() != expected) {
            throw new UnsafeModelException(
                    source,
                    opOffset,
                    "refused storage persistent id with " + t.size() + " fields (expected " + expected + ")");
        }
        if (!(t.get(1) instanceof Global type)
                || (type.kind() != PickleGlobal.STORAGE_TYPE && type.kind() != PickleGlobal.UNTYPED_STORAGE)) {
            throw new UnsafeModelException(
                    source,
                    opOffset,
                    "refused storage persistent id with type " + t.get(1).describe());
        }
        if (!(t.get(2) instanceof Str key) || !(t.get(3) instanceof Str location)) {
            throw corrupt("storage persistent id needs string key and location");
        }
        if (!(t.get(4) instanceof Int numel) || numel.value() < 0) {
            throw corrupt("storage persistent id has invalid numel " + t.get(4).describe());
        }
        DType dtype = type.kind() == PickleGlobal.UNTYPED_STORAGE ? null : type.dtype();
        if (expected == 6 && t.get(5) != PyNone.NONE) {
            if (!(t.get(5) instanceof Tuple view)
                    || view.size() != 3
                    || !(view.get(0) instanceof Str)
                    || !(view.get(1) instanceof Int off)
                    || !(view.get(2) instanceof Int vsize)
                    || off.value() < 0
                    || vsize.value() < 0
                    || off.value() > numel.value() - vsize.value()) {
                throw corrupt(
                        "storage persistent id has an invalid view " + t.get(5).describe());
            }
            return new StorageRef(dtype, type.name(), key.value(), location.value(), vsize.value(), off.value());
        }
        return new StorageRef(dtype, type.name(), key.value(), location.value(), numel.value(), 0);
    }

    // ---------------------------------------------------------------- errors

    private CorruptModelException corrupt(String detail) {
        return new CorruptModelException(source, opOffset, detail);
    }

    static String opcodeName(int op) {
        return switch (op) {
            case 'i' -> "INST";
            case 'o' -> "OBJ";
            case 0x82 -> "EXT1";
            case 0x83 -> "EXT2";
            case 0x84 -> "EXT4";
            case 'P' -> "PERSID";
            case 0x92 -> "NEWOBJ_EX";
            case 0x96 -> "BYTEARRAY8";
            case 0x97 -> "NEXT_BUFFER";
            case 0x98 -> "READONLY_BUFFER";
            case '0' -> "POP";
            case '1' -> "POP_MARK";
            case '2' -> "DUP";
            case 'F' -> "FLOAT";
            case 'I' -> "INT";
            case 'L' -> "LONG";
            case 0x8b -> "LONG4";
            case 'S' -> "STRING";
            case 'T' -> "BINSTRING";
            case 'V' -> "UNICODE";
            case 'g' -> "GET";
            case 'p' -> "PUT";
            case 'l' -> "LIST";
            case 'd' -> "DICT";
            case 0x90 -> "ADDITEMS";
            case 0x91 -> "FROZENSET";
            case 0x8e -> "BINBYTES8";
            default -> "unknown";
        };
    }
}
