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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A fail-closed interpreter for the pickles inside PyTorch checkpoints. It understands every
 * opcode of pickle protocols 0 to 5 (so that whatever path a pickle takes to a global, the global
 * is found and named), resolves globals only against {@link PickleGlobal}'s allowlist, and never
 * executes, imports or instantiates anything: a call to an allowlisted callable becomes an inert
 * {@link PickleValue} describing its result ({@link TensorSpec} for {@code _rebuild_tensor_v2}).
 *
 * <p>Every way a pickle can reach code goes through a global or the extension registry: GLOBAL,
 * STACK_GLOBAL and INST name one (and REDUCE, NEWOBJ, NEWOBJ_EX, OBJ, BUILD and ADDITEMS can only
 * call or mutate what such an opcode produced); EXT1/2/4 look one up in {@code copyreg}'s registry,
 * which this interpreter cannot see, so they are refused; PERSID and BINPERSID go to torch's own
 * persistent-load hook, whose ids are checked against what torch accepts.
 *
 * <p>Refusals are {@link UnsafeModelException}s naming the opcode or {@code module.global} and the
 * absolute offset; malformed input and exceeded {@link UnpicklerLimits} are
 * {@link CorruptModelException}s. Work is linear in the input size (each opcode consumes at least
 * one byte and every multi-value opcode consumes what it pops), and memory is bounded by the
 * limits, the values' heap included ({@link PickleBudget}).
 *
 * <p>Not thread-safe; one instance reads one pickle ({@link #load()} once).
 *
 * <pre>
 * opcode bytes (pickletools): PROTO 0x80, STOP '.', MARK '(', TUPLE 't', TUPLE1..3 0x85..0x87,
 * EMPTY_TUPLE ')', EMPTY_LIST ']', EMPTY_DICT '}', EMPTY_SET 0x8f, APPEND 'a', APPENDS 'e',
 * SETITEM 's', SETITEMS 'u', BINGET 'h', LONG_BINGET 'j', BINPUT 'q', LONG_BINPUT 'r',
 * MEMOIZE 0x94, NONE 'N', NEWTRUE 0x88, NEWFALSE 0x89, BININT 'J' (i32 LE), BININT1 'K' (u8),
 * BININT2 'M' (u16 LE), LONG1 0x8a (u8 n, n bytes two's complement LE), LONG4 0x8b (i32 n),
 * BINFLOAT 'G' (f64 BE), BINUNICODE 'X' (u32 len), SHORT_BINUNICODE 0x8c (u8), BINUNICODE8 0x8d
 * (u64), SHORT_BINSTRING 'U' (u8), BINSTRING 'T' (i32), BINBYTES 'B' (u32), SHORT_BINBYTES 'C'
 * (u8), BINBYTES8 0x8e (u64), BYTEARRAY8 0x96 (u64), FRAME 0x95 (u64), BINPERSID 'Q', GLOBAL 'c'
 * (module\nname\n), STACK_GLOBAL 0x93, REDUCE 'R', BUILD 'b', NEWOBJ 0x81, NEWOBJ_EX 0x92,
 * ADDITEMS 0x90, FROZENSET 0x91, POP '0', POP_MARK '1', DUP '2', EXT1..4 0x82..0x84,
 * NEXT_BUFFER 0x97, READONLY_BUFFER 0x98
 * protocol 0 (text lines ending in \n): INT 'I', LONG 'L', FLOAT 'F', STRING 'S' (quoted, escaped),
 * UNICODE 'V' (raw-unicode-escape), GET 'g', PUT 'p', PERSID 'P', INST 'i' (module\nname\n),
 * OBJ 'o', LIST 'l', DICT 'd'
 * </pre>
 */
public final class RestrictedUnpickler {
    /** Which persistent-id tuples are accepted. */
    public enum PersistentIds {
        /** Zip format: {@code ('storage', type, key, location, numel)}. */
        ZIP,
        /** Legacy stream: {@code ('storage', type, root_key, location, numel, view_metadata|None)}. */
        LEGACY,
        /**
         * Members of a pre-0.4 tar checkpoint: any id (a class tuple or a storage key) becomes an
         * inert {@link PickleValue.TarObject}; such pickles are only scanned, never turned into tensors.
         */
        TAR
    }

    private static final int MAX_GLOBAL_LINE = 512;
    private static final int HIGHEST_PROTOCOL = 5;
    private static final int MAX_TUPLE_KEY = 16;
    /** Longest integer key accepted in a dict: hashing a bigger one costs time on every SETITEM. */
    private static final int MAX_KEY_BITS = 256;
    /** CPython refuses to parse longer decimal integers ({@code sys.int_info.default_max_str_digits}). */
    private static final int MAX_INT_DIGITS = 4300;

    private final String source;
    private final SegmentReader in;
    private final UnpicklerLimits limits;
    private final PersistentIds persistentIds;
    private final PickleBudget budget;
    private final List<PickleValue> stack = new ArrayList<>();
    private int[] marks = new int[16];
    private int markCount;
    private final PickleMemo memo = new PickleMemo();
    private long ops;
    private long opOffset;
    private boolean loaded;
    /** Non-null in a safety scan ({@link #scanOnly}): the foreign globals met, by qualified name, with the offset. */
    private java.util.Map<String, Long> foreign;

    /**
     * @param source description of the file, used in every error
     * @param pickle the bytes; the pickle starts at its first byte and may be followed by more data
     * @param base absolute offset of {@code pickle} in the file, so errors report file offsets
     */
    public RestrictedUnpickler(
            String source, MemorySegment pickle, long base, UnpicklerLimits limits, PersistentIds persistentIds) {
        this(source, pickle, base, limits, persistentIds, limits.newBudget());
    }

    /** As above, charging the values to {@code budget}, which the other pickles of the same file share. */
    RestrictedUnpickler(
            String source,
            MemorySegment pickle,
            long base,
            UnpicklerLimits limits,
            PersistentIds persistentIds,
            PickleBudget budget) {
        this.source = source;
        this.in = new SegmentReader(source, pickle, base);
        this.limits = limits;
        this.persistentIds = persistentIds;
        this.budget = budget;
    }

    /** Unpickles a byte array with the default limits and zip-style persistent ids. */
    public static PickleValue load(String source, byte[] pickle) throws ModelFormatException {
        return new RestrictedUnpickler(
                        source, MemorySegment.ofArray(pickle), 0, UnpicklerLimits.DEFAULT, PersistentIds.ZIP)
                .load();
    }

    /**
     * Turns this interpreter into a safety scan of a file that is not read for weights: a global on the deny-list is
     * still refused, but one that is merely outside the allowlist is recorded in {@code sink} and carried along as an
     * opaque value (calls to it, BUILD on what it made), so that the scan goes on to every later global.
     */
    RestrictedUnpickler scanOnly(java.util.Map<String, Long> sink) {
        this.foreign = sink;
        return this;
    }

    /** Bytes consumed so far (after {@link #load()}: the length of the pickle including STOP). */
    public long position() {
        return in.position();
    }

    /**
     * Interprets the pickle up to its STOP opcode and returns the top of the stack.
     *
     * @throws UnsafeModelException on any global, extension code, persistent id, call, BUILD or
     *     mutation outside the allowlist (the message names it and the offset)
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
                case ')' -> push(tuple(List.of()));
                case 0x85 -> push(tuple(popN(1)));
                case 0x86 -> push(tuple(popN(2)));
                case 0x87 -> push(tuple(popN(3)));
                case 'N' -> push(PyNone.NONE);
                case 0x88 -> push(PickleValue.Bool.TRUE);
                case 0x89 -> push(PickleValue.Bool.FALSE);
                case ']' -> push(newList(List.of()));
                case 'l' -> push(newList(popMark())); // LIST
                case '}' -> push(newDict(false));
                case 'd' -> { // DICT
                    List<PickleValue> items = popMark();
                    PyDict d = newDict(false);
                    setItems(d, items);
                    push(d);
                }
                case 0x8f -> push(newSet(List.of())); // EMPTY_SET
                case 0x91 -> push(newSet(popMark())); // FROZENSET
                case 0x90 -> { // ADDITEMS
                    List<PickleValue> items = popMark();
                    addItems(peek(), items);
                }
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
                case '0' -> { // POP: an empty frame pops its MARK instead, as CPython does
                    if (stack.size() > fence()) {
                        stack.removeLast();
                    } else {
                        popMark();
                    }
                }
                case '1' -> popMark(); // POP_MARK
                case '2' -> push(peek()); // DUP
                case 'h' -> push(memoGet(in.u8("BINGET index")));
                case 'j' -> push(memoGet(in.u32("LONG_BINGET index")));
                case 'g' -> push(memoGet(decimalIndex("GET index"))); // GET
                case 'q' -> memoPut(in.u8("BINPUT index"));
                case 'r' -> memoPut(in.u32("LONG_BINPUT index"));
                case 'p' -> memoPut(decimalIndex("PUT index")); // PUT
                case 0x94 -> memoPut(memo.size());
                case 'J' -> push(integer(in.i32("BININT")));
                case 'K' -> push(integer(in.u8("BININT1")));
                case 'M' -> push(integer(in.u16("BININT2")));
                case 0x8a -> push(longBytes(in.u8("LONG1 length"), "LONG1"));
                case 0x8b -> push(longBytes(nonNegativeLength(in.i32("LONG4 length"), "LONG4"), "LONG4"));
                case 'I' -> push(textInt()); // INT
                case 'L' -> push(textLong()); // LONG
                case 'G' ->
                    push(scalar(
                            new PickleValue.PyFloat(Double.longBitsToDouble(Long.reverseBytes(in.i64("BINFLOAT"))))));
                case 'F' -> push(scalar(new PickleValue.PyFloat(textFloat()))); // FLOAT
                case 'X' -> push(str(utf8(in.u32("BINUNICODE length"), "BINUNICODE")));
                case 0x8c -> push(str(utf8(in.u8("SHORT_BINUNICODE length"), "SHORT_BINUNICODE")));
                case 0x8d -> push(str(utf8(u64Length("BINUNICODE8 length"), "BINUNICODE8")));
                case 'V' -> push(str(rawUnicodeEscape(rawLine("UNICODE", limits.maxStringBytes())))); // UNICODE
                case 'U' -> push(byteString(bytes(in.u8("SHORT_BINSTRING length"), "SHORT_BINSTRING")));
                case 'T' -> // BINSTRING
                    push(byteString(bytes(nonNegativeLength(in.i32("BINSTRING length"), "BINSTRING"), "BINSTRING")));
                case 'S' -> push(byteString(quotedString(rawLine("STRING", limits.maxStringBytes())))); // STRING
                case 'B' -> push(byteValue(bytes(in.u32("BINBYTES length"), "BINBYTES")));
                case 'C' -> push(byteValue(bytes(in.u8("SHORT_BINBYTES length"), "SHORT_BINBYTES")));
                case 0x8e -> push(byteValue(bytes(u64Length("BINBYTES8 length"), "BINBYTES8")));
                case 0x96 -> push(byteValue(bytes(u64Length("BYTEARRAY8 length"), "BYTEARRAY8")));
                case 0x95 -> { // FRAME: framing is advisory; only check the claimed length
                    long n = u64Length("FRAME length");
                    if (n > in.remaining()) {
                        throw corrupt("FRAME claims " + n + " bytes, " + in.remaining() + " remain");
                    }
                }
                case 'Q' -> push(persistentLoad(pop())); // BINPERSID
                case 'P' -> { // PERSID: the id is a line of ASCII text
                    byte[] id = rawLine("PERSID id", MAX_GLOBAL_LINE);
                    push(persistentLoad(str(new String(id, StandardCharsets.ISO_8859_1))));
                }
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
                case 'i' -> { // INST: CPython resolves the class before it pops the arguments
                    String module = line("INST module");
                    String name = line("INST name");
                    Global cls = global(module, name, "INST");
                    push(call(cls, tuple(popMark()), "INST"));
                }
                case 'o' -> { // OBJ: MARK, class, arguments
                    List<PickleValue> items = popMark();
                    if (items.isEmpty()) {
                        throw corrupt("OBJ needs a class after its MARK");
                    }
                    push(call(items.getFirst(), tuple(items.subList(1, items.size())), "OBJ"));
                }
                case 'R' -> { // REDUCE
                    PickleValue args = pop();
                    PickleValue callable = pop();
                    push(call(callable, args, "REDUCE"));
                }
                case 0x81 -> { // NEWOBJ
                    PickleValue args = pop();
                    PickleValue cls = pop();
                    push(newObject(cls, args, "NEWOBJ"));
                }
                case 0x92 -> { // NEWOBJ_EX: cls.__new__(cls, *args, **kwargs)
                    PickleValue kwargs = pop();
                    PickleValue args = pop();
                    PickleValue cls = pop();
                    if (!(kwargs instanceof PyDict kw) || !kw.entries().isEmpty()) {
                        throw new UnsafeModelException(
                                source,
                                opOffset,
                                "refused NEWOBJ_EX on " + cls.describe() + " with keyword arguments "
                                        + kwargs.describe());
                    }
                    push(newObject(cls, args, "NEWOBJ_EX"));
                }
                case 'b' -> build(pop(), peek());
                case 0x82, 0x83, 0x84 -> { // EXT1, EXT2, EXT4
                    String name = op == 0x82 ? "EXT1" : op == 0x83 ? "EXT2" : "EXT4";
                    long code = switch (op) {
                        case 0x82 -> in.u8("EXT1 code");
                        case 0x83 -> in.u16("EXT2 code");
                        default -> in.i32("EXT4 code");
                    };
                    throw new UnsafeModelException(
                            source,
                            opOffset,
                            "refused pickle opcode " + name + " (0x" + String.format("%02x", op) + "): extension code "
                                    + code + " names a global through copyreg's registry, which cannot be checked");
                }
                case 0x97 -> // NEXT_BUFFER
                    throw corrupt("NEXT_BUFFER refers to out-of-band buffers, which torch.load never passes"
                            + " (the unpickler stops here)");
                case 0x98 -> { // READONLY_BUFFER: a no-op on bytes; CPython raises on anything else
                    if (!(peek() instanceof PickleValue.Bytes)) {
                        throw corrupt("READONLY_BUFFER on " + peek().describe() + ", which is not a buffer");
                    }
                }
                default ->
                    // CPython's unpickler raises on an unknown opcode, so nothing after it runs
                    throw corrupt("invalid pickle opcode 0x" + String.format("%02x", op));
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
        charge(PickleBudget.tuple(items.size()));
        Tuple t = Tuple.of(items);
        if (t.depth() > limits.maxNesting()) {
            throw corrupt("pickle values nested deeper than " + limits.maxNesting());
        }
        return t;
    }

    // ---------------------------------------------------------------- values and their heap

    private void charge(long bytes) throws CorruptModelException {
        budget.charge(bytes, source, opOffset);
    }

    private PickleValue scalar(PickleValue v) throws CorruptModelException {
        charge(PickleBudget.SCALAR);
        return v;
    }

    private PickleValue integer(long v) throws CorruptModelException {
        return scalar(new Int(v));
    }

    private Str str(String s) throws CorruptModelException {
        charge(PickleBudget.string(s.length()));
        return new Str(s);
    }

    private PickleValue.Bytes byteValue(byte[] b) throws CorruptModelException {
        charge(PickleBudget.bytes(b.length));
        return new PickleValue.Bytes(b);
    }

    private PyList newList(List<PickleValue> items) throws ModelFormatException {
        charge(PickleBudget.CONTAINER);
        PyList list = new PyList();
        append(list, items);
        return list;
    }

    private PyDict newDict(boolean ordered) throws CorruptModelException {
        charge(PickleBudget.DICT);
        return new PyDict(ordered);
    }

    private PickleValue.PySet newSet(List<PickleValue> items) throws ModelFormatException {
        charge(PickleBudget.CONTAINER);
        PickleValue.PySet set = new PickleValue.PySet();
        addItems(set, items);
        return set;
    }

    // ---------------------------------------------------------------- containers

    private void append(PickleValue target, List<PickleValue> items) throws ModelFormatException {
        if (!(target instanceof PyList list)) {
            throw new UnsafeModelException(
                    source, opOffset, "refused APPEND to " + target.describe() + " (only lists)");
        }
        charge(PickleBudget.SLOT * items.size());
        for (PickleValue v : items) {
            list.add(v);
        }
        checkNesting(list);
    }

    /** ADDITEMS on anything but a set would call that object's {@code add} attribute: refused. */
    private void addItems(PickleValue target, List<PickleValue> items) throws ModelFormatException {
        if (!(target instanceof PickleValue.PySet set)) {
            throw new UnsafeModelException(
                    source, opOffset, "refused ADDITEMS to " + target.describe() + " (only sets)");
        }
        charge(PickleBudget.SLOT * items.size());
        for (PickleValue v : items) {
            set.add(v);
        }
        checkNesting(set);
    }

    private void setItems(PickleValue target, List<PickleValue> kv) throws ModelFormatException {
        if (!(target instanceof PyDict dict)) {
            throw new UnsafeModelException(
                    source, opOffset, "refused SETITEM on " + target.describe() + " (only dicts)");
        }
        if (kv.size() % 2 != 0) {
            throw corrupt("SETITEMS with an odd number (" + kv.size() + ") of keys and values");
        }
        charge(PickleBudget.DICT_ENTRY * (kv.size() / 2));
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
            case Str _, PickleValue.Int _, Bool _, PickleValue.PyFloat _, PyNone _ -> true;
            case PickleValue.BigInt b -> b.value().bitLength() <= MAX_KEY_BITS;
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
            case Global g when g.kind() == PickleGlobal.FOREIGN -> {
                // a scan's opaque instance: its state is data already interpreted (and scanned) on the stack
            }
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
        if (!memo.contains(key)) {
            if (memo.size() >= limits.maxMemo()) {
                throw corrupt("pickle memo exceeds " + limits.maxMemo() + " entries");
            }
            charge(memo.cost(key));
        }
        memo.put(key, v);
    }

    // ---------------------------------------------------------------- scalars and strings

    /** LONG1/LONG4: {@code n} bytes of a little-endian two's complement integer. */
    private PickleValue longBytes(long n, String what) throws CorruptModelException {
        byte[] le = bytes(n, what + " value");
        if (n == 0) {
            return integer(0);
        }
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) {
            be[i] = le[le.length - 1 - i];
        }
        return bigOrLong(new BigInteger(be));
    }

    private PickleValue bigOrLong(BigInteger v) throws CorruptModelException {
        if (v.bitLength() < 64) {
            return integer(v.longValue());
        }
        charge(PickleBudget.bytes(v.bitLength() / 8 + 1));
        return new PickleValue.BigInt(v);
    }

    private long nonNegativeLength(int n, String what) throws CorruptModelException {
        if (n < 0) {
            throw corrupt(what + " has a negative length " + n);
        }
        return n;
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

    /**
     * A Python 2 {@code str} (SHORT_BINSTRING, BINSTRING, STRING); torch loads it with
     * {@code encoding='utf-8'}, so text becomes a string. Non-text stays bytes.
     */
    private PickleValue byteString(byte[] b) throws CorruptModelException {
        try {
            return str(SegmentReader.decodeUtf8(b, source, opOffset, "byte string"));
        } catch (CorruptModelException e) {
            return byteValue(b);
        }
    }

    /**
     * The bytes of a protocol-0 argument line, without its newline. CPython reads the line with
     * {@code readline()}, so a line that runs to the end of the input is malformed.
     */
    private byte[] rawLine(String what, long max) throws CorruptModelException {
        long start = in.position();
        long limit = Math.min(in.remaining(), max + 1);
        MemorySegment seg = in.segment();
        for (long i = 0; i < limit; i++) {
            if (seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, start + i) == '\n') {
                byte[] b = in.bytes(i, what);
                in.skip(1, what);
                return b;
            }
        }
        throw corrupt(what + " is not a newline-terminated line of at most " + max + " bytes");
    }

    /** INT: {@code 00} and {@code 01} are the booleans protocol 0 writes; otherwise {@code int(line, 0)}. */
    private PickleValue textInt() throws CorruptModelException {
        String line = new String(rawLine("INT argument", MAX_INT_DIGITS + 8), StandardCharsets.ISO_8859_1);
        if (line.equals("00")) {
            return PickleValue.Bool.FALSE;
        }
        if (line.equals("01")) {
            return PickleValue.Bool.TRUE;
        }
        return bigOrLong(PythonLiterals.parseInt(line, 0, MAX_INT_DIGITS)
                .orElseThrow(() -> corrupt("INT argument '" + printable(line) + "' is not an integer")));
    }

    /** LONG: {@code int(line, 0)} after dropping one trailing {@code L} (Python 2's long suffix). */
    private PickleValue textLong() throws CorruptModelException {
        String raw = new String(rawLine("LONG argument", MAX_INT_DIGITS + 8), StandardCharsets.ISO_8859_1);
        String line = raw.endsWith("L") ? raw.substring(0, raw.length() - 1) : raw;
        return bigOrLong(PythonLiterals.parseInt(line, 0, MAX_INT_DIGITS)
                .orElseThrow(() -> corrupt("LONG argument '" + printable(raw) + "' is not an integer")));
    }

    private double textFloat() throws CorruptModelException {
        String line = new String(rawLine("FLOAT argument", 512), StandardCharsets.ISO_8859_1);
        return PythonLiterals.parseFloat(line)
                .orElseThrow(() -> corrupt("FLOAT argument '" + printable(line) + "' is not a number"));
    }

    /** GET/PUT: a decimal memo index. */
    private long decimalIndex(String what) throws CorruptModelException {
        String line = new String(rawLine(what, 64), StandardCharsets.ISO_8859_1);
        BigInteger v = PythonLiterals.parseInt(line, 10, 64)
                .orElseThrow(() -> corrupt(what + " '" + printable(line) + "' is not an integer"));
        if (v.signum() < 0 || v.bitLength() > 62) {
            throw corrupt(what + " " + printable(line) + " is out of range");
        }
        return v.longValue();
    }

    /** STRING: a quoted Python 2 literal, decoded like {@code codecs.escape_decode}. */
    private byte[] quotedString(byte[] line) throws CorruptModelException {
        if (line.length < 2 || line[0] != line[line.length - 1] || (line[0] != '\'' && line[0] != '"')) {
            throw corrupt("STRING argument is not quoted");
        }
        return PythonLiterals.escapeDecode(line, 1, line.length - 1)
                .orElseThrow(() -> corrupt("STRING argument has an invalid escape"));
    }

    private String rawUnicodeEscape(byte[] line) throws CorruptModelException {
        return PythonLiterals.rawUnicodeEscape(line)
                .orElseThrow(() -> corrupt("UNICODE argument has an invalid \\u or \\U escape"));
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

    private Global global(String module, String name, String opcode) throws ModelFormatException {
        Optional<Global> g = PickleGlobal.resolve(module, name);
        if (g.isPresent()) {
            charge(PickleBudget.CONTAINER);
        } else {
            PickleGlobal.Safety safety = PickleGlobal.classify(module, name);
            if (foreign != null && safety != PickleGlobal.Safety.DANGEROUS) {
                charge(PickleBudget.CONTAINER);
                if (foreign.size() < 64) {
                    foreign.putIfAbsent(printable(module) + "." + printable(name), opOffset);
                }
                return new Global(PickleGlobal.FOREIGN, module, name, null);
            }
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
        // the inert record the call becomes (a tensor spec with its shape arrays at most)
        charge(2 * PickleBudget.CONTAINER);
        return switch (g.kind()) {
            // a scan's opaque value: what calling it makes is as opaque (an instance, an enum member)
            case FOREIGN -> new Global(PickleGlobal.FOREIGN, g.module(), g.name() + "()", null);
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
                yield newSet(items);
            }
            case TENSOR, STORAGE_TYPE, UNTYPED_STORAGE, DTYPE ->
                throw new UnsafeModelException(
                        source,
                        opOffset,
                        "refused " + opcode + " on " + g.qualifiedName() + " (not callable in a checkpoint)");
        };
    }

    /** NEWOBJ and NEWOBJ_EX: {@code cls.__new__(cls, *args)}, accepted for the classes torch.save emits it on. */
    private PickleValue newObject(PickleValue cls, PickleValue args, String opcode) throws ModelFormatException {
        if (!(cls instanceof Global g)
                || (g.kind() != PickleGlobal.ORDERED_DICT
                        && g.kind() != PickleGlobal.PARAMETER
                        && g.kind() != PickleGlobal.FOREIGN)) {
            throw new UnsafeModelException(source, opOffset, "refused " + opcode + " on " + cls.describe());
        }
        return call(cls, args, opcode);
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
        PyDict d = newDict(true);
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
                charge(PickleBudget.DICT_ENTRY * src.entries().size());
                for (var e : src.entries().entrySet()) {
                    d.put(e.getKey(), e.getValue());
                }
            }
            case PyList l -> {
                charge(PickleBudget.DICT_ENTRY * l.items().size());
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
        return byteValue(out);
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

    private PickleValue persistentLoad(PickleValue pid) throws ModelFormatException {
        charge(PickleBudget.CONTAINER);
        if (persistentIds == PersistentIds.TAR) {
            // torch's tar loader returns saved_id[0] for a tuple and a deserialised storage or tensor
            // otherwise; neither runs anything from the pickle.
            return new PickleValue.TarObject(pid.describe());
        }
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
}
