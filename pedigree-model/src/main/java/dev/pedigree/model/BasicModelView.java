package dev.pedigree.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A straightforward immutable {@link ModelView} assembled by a reader. Closing it closes the
 * resources it was given (mappings), in reverse order.
 */
public final class BasicModelView implements ModelView {
    private final String source;
    private final ModelFormat format;
    private final String architecture;
    private final ArchitectureHints hints;
    private final Map<String, Object> metadata;
    private final List<TensorRef> tensors;
    private final Vocabulary vocabulary;
    private final List<LineageClaim> claims;
    private final List<Path> files;
    private final List<String> warnings;
    private final List<AutoCloseable> resources;

    private BasicModelView(Builder b) {
        this.source = b.source;
        this.format = b.format;
        this.architecture = b.architecture;
        this.hints = b.hints;
        this.metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.metadata));
        this.tensors = List.copyOf(b.tensors);
        this.vocabulary = b.vocabulary;
        this.claims = List.copyOf(b.claims);
        this.files = List.copyOf(b.files);
        this.warnings = List.copyOf(b.warnings);
        this.resources = List.copyOf(b.resources);
    }

    public static Builder builder(String source, ModelFormat format) {
        return new Builder(source, format);
    }

    @Override
    public String source() {
        return source;
    }

    @Override
    public ModelFormat format() {
        return format;
    }

    @Override
    public String architecture() {
        return architecture;
    }

    @Override
    public ArchitectureHints hints() {
        return hints;
    }

    @Override
    public Map<String, Object> metadata() {
        return metadata;
    }

    @Override
    public List<TensorRef> tensors() {
        return tensors;
    }

    @Override
    public Optional<Vocabulary> vocabulary() {
        return Optional.ofNullable(vocabulary);
    }

    @Override
    public List<LineageClaim> claims() {
        return claims;
    }

    @Override
    public List<Path> files() {
        return files;
    }

    @Override
    public List<String> warnings() {
        return warnings;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = new IllegalStateException("closing " + source, e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Mutable builder; not thread-safe. */
    public static final class Builder {
        private final String source;
        private final ModelFormat format;
        private String architecture;
        private ArchitectureHints hints = ArchitectureHints.NONE;
        private final Map<String, Object> metadata = new LinkedHashMap<>();
        private final List<TensorRef> tensors = new ArrayList<>();
        private Vocabulary vocabulary;
        private final List<LineageClaim> claims = new ArrayList<>();
        private final List<Path> files = new ArrayList<>();
        private final List<String> warnings = new ArrayList<>();
        private final List<AutoCloseable> resources = new ArrayList<>();

        private Builder(String source, ModelFormat format) {
            this.source = source;
            this.format = format;
        }

        public Builder architecture(String a) {
            this.architecture = a;
            return this;
        }

        public Builder hints(ArchitectureHints h) {
            this.hints = h;
            return this;
        }

        public Builder metadata(String key, Object value) {
            metadata.put(key, value);
            return this;
        }

        public Builder metadata(Map<String, ?> all) {
            metadata.putAll(all);
            return this;
        }

        public Builder tensor(TensorRef t) {
            tensors.add(t);
            return this;
        }

        public Builder tensors(List<? extends TensorRef> ts) {
            tensors.addAll(ts);
            return this;
        }

        public Builder vocabulary(Vocabulary v) {
            this.vocabulary = v;
            return this;
        }

        public Builder claim(LineageClaim c) {
            claims.add(c);
            return this;
        }

        public Builder claims(List<LineageClaim> cs) {
            claims.addAll(cs);
            return this;
        }

        public Builder file(Path p) {
            files.add(p);
            return this;
        }

        public Builder warning(String w) {
            warnings.add(w);
            return this;
        }

        /** A resource (mapping, nested view) closed with the view. */
        public Builder resource(AutoCloseable c) {
            resources.add(c);
            return this;
        }

        public BasicModelView build() {
            return new BasicModelView(this);
        }
    }
}
