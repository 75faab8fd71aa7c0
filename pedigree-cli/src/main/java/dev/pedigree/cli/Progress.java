package dev.pedigree.cli;

import dev.pedigree.formats.ModelOpener;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.ForwardingTensorRef;
import dev.pedigree.model.LineageClaim;
import dev.pedigree.model.ModelFormat;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.RowViewTensor;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.Vocabulary;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Progress of long work on standard error, only where it is a terminal ({@link Terminal#progress()}) and not under
 * {@code --quiet}: one line, rewritten in place twice a second, with the phase, the tensors read so far of all the
 * inputs' tensors, the bytes read and the time taken ({@code pedigree compare: comparing, 34/204 tensors, 12.3 MB
 * read, 4 s}); erased when the work ends, so that nothing of it stays in the terminal. Off, it does nothing and
 * {@link #track} returns the view unchanged, so the work is the same either way.
 *
 * <p>Tensors are counted through {@link #track}: a view whose tensors report their reads here (rows decoded and stored
 * bytes hashed). In-memory tensors and row views of another tensor are left as they are (nothing to read, or their
 * parent's identity matters to the reader).
 */
public final class Progress implements AutoCloseable {
    private static final long PERIOD_MS = 500;

    private final PrintWriter err;
    private final String command;
    private final boolean on;
    private final long start = System.nanoTime();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong total = new AtomicLong();
    private final Set<TensorRef> done = ConcurrentHashMap.newKeySet();
    private volatile String phase = "starting";
    private Thread ticker;
    private boolean shown;

    private Progress(PrintWriter err, String command, boolean on) {
        this.err = err;
        this.command = command;
        this.on = on;
    }

    /** Progress of {@code command} on {@code rawErr} when {@code terminal} allows it and {@code quiet} is off. */
    static Progress start(Terminal terminal, boolean quiet, PrintWriter rawErr, String command) {
        Progress p = new Progress(rawErr, command, terminal.progress() && !quiet);
        if (p.on) {
            p.ticker = Thread.ofPlatform().daemon().name("pedigree-progress").start(p::tick);
        }
        return p;
    }

    /** Whether anything is shown. */
    public boolean on() {
        return on;
    }

    /** The work now under way ("reading the registry", "comparing"), shown at once. */
    public void phase(String name) {
        phase = name;
        if (on) {
            show();
        }
    }

    /** {@code v}, whose tensor reads count here while progress is shown; {@code v} itself otherwise. */
    public ModelView track(ModelView v) {
        if (!on) {
            return v;
        }
        total.addAndGet(v.tensors().size());
        return new Tracked(v);
    }

    /** {@code model} opened (the phase names it), its reads counted here. */
    public ModelView open(String model) throws IOException, ModelFormatException {
        phase("opening " + model);
        return track(ModelOpener.open(model));
    }

    private void tick() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(PERIOD_MS);
                show();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The line as it stands. */
    String line() {
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        StringBuilder sb =
                new StringBuilder("pedigree ").append(command).append(": ").append(phase);
        if (total.get() > 0) {
            sb.append(String.format(Locale.ROOT, ", %d/%d tensors", Math.min(done.size(), total.get()), total.get()));
        }
        if (total.get() > 0 || bytes.get() > 0) {
            sb.append(", ").append(bytes(bytes.get())).append(" read");
        }
        sb.append(", ").append(seconds).append(" s");
        return sb.toString();
    }

    private synchronized void show() {
        err.print("\r\u001b[K" + line());
        err.flush();
        shown = true;
    }

    /**
     * Runs {@code print} (which writes whole lines to standard output or error and flushes them) with the line erased,
     * so that a result printed while work goes on never lands after the progress text; the next update draws the line
     * again.
     */
    public synchronized void above(Runnable print) {
        erase();
        print.run();
    }

    /** Erases the line for now (before a note of its own on standard error); the next update draws it again. */
    public synchronized void erase() {
        if (shown) {
            err.print("\r\u001b[K");
            err.flush();
        }
    }

    /** Erases the line and stops; nothing is left on the terminal. */
    @Override
    public synchronized void close() {
        if (ticker != null) {
            ticker.interrupt();
        }
        erase();
    }

    static String bytes(long b) {
        if (b < 1_000_000) {
            return String.format(Locale.ROOT, "%.1f kB", b / 1e3);
        }
        if (b < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.1f MB", b / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f GB", b / 1e9);
    }

    private void read(TensorRef t, long n) {
        done.add(t);
        bytes.addAndGet(n);
    }

    /** A view that passes everything through; its tensors count their reads. */
    private final class Tracked implements ModelView {
        private final ModelView v;
        private final List<TensorRef> tensors;

        Tracked(ModelView v) {
            this.v = v;
            List<TensorRef> ts = new ArrayList<>();
            for (TensorRef t : v.tensors()) {
                ts.add(t instanceof ArrayTensor || t instanceof RowViewTensor ? t : new Counted(t));
            }
            this.tensors = List.copyOf(ts);
        }

        @Override
        public String source() {
            return v.source();
        }

        @Override
        public ModelFormat format() {
            return v.format();
        }

        @Override
        public String architecture() {
            return v.architecture();
        }

        @Override
        public ArchitectureHints hints() {
            return v.hints();
        }

        @Override
        public Map<String, Object> metadata() {
            return v.metadata();
        }

        @Override
        public List<TensorRef> tensors() {
            return tensors;
        }

        @Override
        public Optional<Vocabulary> vocabulary() {
            return v.vocabulary();
        }

        @Override
        public List<LineageClaim> claims() {
            return v.claims();
        }

        @Override
        public List<Path> files() {
            return v.files();
        }

        @Override
        public List<String> warnings() {
            return v.warnings();
        }

        @Override
        public void close() {
            v.close();
        }

        @Override
        public String toString() {
            return v.toString();
        }
    }

    /** A tensor that reports its reads: rows decoded (their stored size) and stored bytes handed out. */
    private final class Counted extends ForwardingTensorRef {
        private final long rowBytes;

        Counted(TensorRef t) {
            super(t);
            this.rowBytes = ForwardingTensorRef.storedRowBytes(t);
        }

        @Override
        public MemorySegment storedBytes() throws IOException, ModelFormatException {
            MemorySegment s = delegate.storedBytes();
            read(this, s.byteSize());
            return s;
        }

        @Override
        public void readRows(long firstRow, int rowCount, float[] dst, int dstOffset)
                throws IOException, ModelFormatException {
            delegate.readRows(firstRow, rowCount, dst, dstOffset);
            read(this, rowCount * rowBytes);
        }
    }
}
