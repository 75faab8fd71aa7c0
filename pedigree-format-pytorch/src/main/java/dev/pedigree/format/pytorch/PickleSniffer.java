package dev.pedigree.format.pytorch;

import java.util.HashSet;
import java.util.Set;

/**
 * Recognises the start of a pickle of any protocol from a file's first bytes, for
 * {@link PytorchReader#probe}: {@code torch.load} (and {@code pickle.load}) unpickle every file
 * that is not a zip or tar archive, and a protocol-0 pickle starts with any of a dozen printable
 * opcodes rather than {@code 0x80}. The sniffer walks the opcodes with their argument formats and
 * their effect on the stack, the marks and the memo (pickletools' {@code genops} plus stack
 * depths), building nothing; text, JSON and binary formats fail within a few bytes.
 *
 * <p>Stateless.
 */
final class PickleSniffer {
    /**
     * What the walk found.
     *
     * @param pickle every opcode up to STOP or the end of the head was valid
     * @param opcodes how many were walked
     * @param namesGlobal a GLOBAL, INST or STACK_GLOBAL was among them
     */
    record Sniff(boolean pickle, int opcodes, boolean namesGlobal) {
        static final Sniff NO = new Sniff(false, 0, false);
    }

    private PickleSniffer() {}

    static Sniff sniff(byte[] head) {
        int pos = 0;
        int ops = 0;
        boolean global = false;
        int depth = 0; // values above the innermost mark
        java.util.ArrayDeque<Integer> marks = new java.util.ArrayDeque<>();
        Set<Long> memo = new HashSet<>();
        while (pos < head.length) {
            int op = head[pos++] & 0xFF;
            ops++;
            int need;
            int pushes;
            switch (op) {
                case 0x80 -> { // PROTO
                    if (pos >= head.length) return partial(ops, global);
                    if ((head[pos++] & 0xFF) > 5) return Sniff.NO;
                    need = 0;
                    pushes = 0;
                }
                case 0x95 -> { // FRAME
                    pos += 8;
                    need = 0;
                    pushes = 0;
                }
                case '.' -> {
                    return depth >= 1 ? new Sniff(true, ops, global) : Sniff.NO;
                }
                case '(' -> {
                    marks.push(depth);
                    depth = 0;
                    continue;
                }
                case 't', 'l', 'd', 0x91 -> { // TUPLE, LIST, DICT, FROZENSET
                    if (marks.isEmpty() || (op == 'd' && depth % 2 != 0)) return Sniff.NO;
                    depth = marks.pop() + 1;
                    continue;
                }
                case 'e', 'u', 0x90 -> { // APPENDS, SETITEMS, ADDITEMS
                    if (marks.isEmpty() || (op == 'u' && depth % 2 != 0)) return Sniff.NO;
                    depth = marks.pop();
                    if (depth < 1) return Sniff.NO;
                    continue;
                }
                case '1' -> { // POP_MARK
                    if (marks.isEmpty()) return Sniff.NO;
                    depth = marks.pop();
                    continue;
                }
                case 'o' -> { // OBJ
                    if (marks.isEmpty() || depth < 1) return Sniff.NO;
                    depth = marks.pop() + 1;
                    continue;
                }
                case 'i' -> { // INST module\nname\n, then the mark's items
                    int[] p = {pos};
                    if (!line(head, p) || !line(head, p)) return partialIfEnd(head, p[0], ops, true);
                    pos = p[0];
                    global = true;
                    if (marks.isEmpty()) return Sniff.NO;
                    depth = marks.pop() + 1;
                    continue;
                }
                case 'c' -> { // GLOBAL
                    int[] p = {pos};
                    if (!line(head, p) || !line(head, p)) return partialIfEnd(head, p[0], ops, true);
                    pos = p[0];
                    global = true;
                    need = 0;
                    pushes = 1;
                }
                case 'I', 'L', 'F', 'S', 'V', 'P' -> { // text argument lines
                    int[] p = {pos};
                    if (!line(head, p)) return partialIfEnd(head, p[0], ops, global);
                    if (!textArgument(op, head, pos, p[0] - 1)) return Sniff.NO;
                    pos = p[0];
                    need = 0;
                    pushes = 1;
                }
                case 'g', 'p' -> { // GET, PUT: decimal index
                    int[] p = {pos};
                    if (!line(head, p)) return partialIfEnd(head, p[0], ops, global);
                    String n = new String(head, pos, p[0] - 1 - pos, java.nio.charset.StandardCharsets.ISO_8859_1);
                    pos = p[0];
                    if (!n.strip().matches("[0-9]{1,18}")) return Sniff.NO;
                    long key = Long.parseLong(n.strip());
                    if (op == 'g') {
                        if (!memo.contains(key)) return Sniff.NO;
                        need = 0;
                        pushes = 1;
                    } else {
                        memo.add(key);
                        need = 1;
                        pushes = 1;
                    }
                }
                case 'h', 'j' -> { // BINGET, LONG_BINGET
                    int w = op == 'h' ? 1 : 4;
                    if (pos + w > head.length) return partial(ops, global);
                    if (!memo.contains(le(head, pos, w))) return Sniff.NO;
                    pos += w;
                    need = 0;
                    pushes = 1;
                }
                case 'q', 'r' -> { // BINPUT, LONG_BINPUT
                    int w = op == 'q' ? 1 : 4;
                    if (pos + w > head.length) return partial(ops, global);
                    memo.add(le(head, pos, w));
                    pos += w;
                    need = 1;
                    pushes = 1;
                }
                case 0x94 -> { // MEMOIZE
                    memo.add((long) memo.size());
                    need = 1;
                    pushes = 1;
                }
                case 'N', 0x88, 0x89, ')', ']', '}', 0x8f -> {
                    need = 0;
                    pushes = 1;
                }
                case 'K', 'M', 'J', 'G', 0x82, 0x83, 0x84 -> { // fixed-width arguments
                    pos += switch (op) {
                        case 'K', 0x82 -> 1;
                        case 'M', 0x83 -> 2;
                        case 'J', 0x84 -> 4;
                        default -> 8;
                    };
                    need = 0;
                    pushes = 1;
                }
                case 0x8a, 'U', 'C', 0x8c -> { // one-byte length
                    if (pos >= head.length) return partial(ops, global);
                    pos += 1 + (head[pos] & 0xFF);
                    need = 0;
                    pushes = 1;
                }
                case 0x8b, 'T', 'X', 'B' -> { // four-byte length
                    if (pos + 4 > head.length) return partial(ops, global);
                    long n = le(head, pos, 4);
                    if ((op == 0x8b || op == 'T') && n > Integer.MAX_VALUE) return Sniff.NO;
                    pos += 4;
                    if (op == 'X' && pos + n <= head.length && !utf8(head, pos, (int) n)) return Sniff.NO;
                    pos = (int) Math.min(head.length + 1L, pos + n);
                    need = 0;
                    pushes = 1;
                }
                case 0x8d, 0x8e, 0x96 -> { // eight-byte length
                    if (pos + 8 > head.length) return partial(ops, global);
                    long lo = le(head, pos, 4);
                    long hi = le(head, pos + 4, 4);
                    pos += 8;
                    if (hi != 0) return Sniff.NO;
                    pos = (int) Math.min(head.length + 1L, pos + lo);
                    need = 0;
                    pushes = 1;
                }
                case 0x97 -> {
                    need = 0;
                    pushes = 1;
                }
                case 0x85, 0x98, 'Q', '2' -> { // TUPLE1, READONLY_BUFFER, BINPERSID, DUP
                    need = 1;
                    pushes = op == '2' ? 2 : 1;
                }
                case 0x86 -> {
                    need = 2;
                    pushes = 1;
                }
                case 0x87 -> {
                    need = 3;
                    pushes = 1;
                }
                case 'a', 'b' -> { // APPEND, BUILD
                    need = 2;
                    pushes = 1;
                }
                case 's' -> {
                    need = 3;
                    pushes = 1;
                }
                case 'R', 0x81, 0x93 -> { // REDUCE, NEWOBJ, STACK_GLOBAL
                    if (op == 0x93) global = true;
                    need = 2;
                    pushes = 1;
                }
                case 0x92 -> {
                    need = 3;
                    pushes = 1;
                }
                case '0' -> { // POP: pops the mark of an empty frame
                    if (depth > 0) {
                        depth--;
                    } else if (!marks.isEmpty()) {
                        depth = marks.pop();
                    } else {
                        return Sniff.NO;
                    }
                    continue;
                }
                default -> {
                    return Sniff.NO;
                }
            }
            if (depth < need) {
                return Sniff.NO;
            }
            depth += pushes - need;
        }
        return partial(ops, global);
    }

    /** The head ended inside the pickle: a pickle if enough of it was walked to tell. */
    private static Sniff partial(int ops, boolean global) {
        return ops >= 3 ? new Sniff(true, ops, global) : Sniff.NO;
    }

    private static Sniff partialIfEnd(byte[] head, int pos, int ops, boolean global) {
        return pos >= head.length ? partial(ops, global) : Sniff.NO;
    }

    /** Advances past a newline-terminated line of at most 512 bytes. */
    private static boolean line(byte[] b, int[] p) {
        for (int i = p[0]; i < b.length && i - p[0] <= 512; i++) {
            if (b[i] == '\n') {
                p[0] = i + 1;
                return true;
            }
        }
        p[0] = Math.min(b.length, p[0] + 513);
        return false;
    }

    private static boolean textArgument(int op, byte[] b, int from, int to) {
        String s = new String(b, from, to - from, java.nio.charset.StandardCharsets.ISO_8859_1);
        return switch (op) {
            case 'I' ->
                s.equals("00")
                        || s.equals("01")
                        || PythonLiterals.parseInt(s, 0, 4300).isPresent();
            case 'L' ->
                PythonLiterals.parseInt(s.endsWith("L") ? s.substring(0, s.length() - 1) : s, 0, 4300)
                        .isPresent();
            case 'F' -> PythonLiterals.parseFloat(s).isPresent();
            case 'S' ->
                s.length() >= 2
                        && s.charAt(0) == s.charAt(s.length() - 1)
                        && (s.charAt(0) == '\'' || s.charAt(0) == '"');
            default -> true;
        };
    }

    private static long le(byte[] b, int at, int width) {
        long v = 0;
        for (int i = width - 1; i >= 0; i--) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }

    private static boolean utf8(byte[] b, int at, int n) {
        try {
            java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(b, at, n));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }
}
