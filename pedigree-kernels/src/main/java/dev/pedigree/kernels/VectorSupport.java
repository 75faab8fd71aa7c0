package dev.pedigree.kernels;

import dev.pedigree.kernels.decode.DecodeKernels;
import dev.pedigree.kernels.numeric.Kernels;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one Vector API provider: decides once per JVM which twin of each kernel family runs, and hands them out as
 * {@link #decode()} (stored weights to float32) and {@link #numeric()} (reductions on float arrays). Each family also
 * keeps its scalar twin ({@code DecodeKernels.scalar()}, {@code Kernels.scalar()}) and its Vector API twin
 * ({@code vector()}) for agreement tests and benchmarks.
 *
 * <p>The decision, made on first use: the Vector API twin of a family when the incubator module is resolved (start
 * the JVM with {@code --add-modules jdk.incubator.vector}), the twin can be built on this machine's vector shape, and
 * the system property {@value #PROPERTY} is not {@code scalar}; otherwise the scalar twin. The property is read once,
 * here. When any family falls back, one line at INFO through {@link System.Logger} says why; nothing is logged
 * otherwise (a DEBUG line names the twins).
 *
 * <p>Stateless after initialisation and thread-safe. The twins agree bit for bit on decoding; on reductions within the
 * tolerance each family documents.
 */
public final class VectorSupport {
    /** System property that forces the scalar twins when set to {@code scalar}. */
    public static final String PROPERTY = "pedigree.kernels";

    private VectorSupport() {}

    /** Whether the incubator module is in the boot layer, decided once; separate from the choice below. */
    private static final class Incubator {
        static final Optional<String> ABSENT =
                ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
                        ? Optional.empty()
                        : Optional.of("module jdk.incubator.vector is not resolved"
                                + " (start the JVM with --add-modules jdk.incubator.vector)");
    }

    /** The twins in use, chosen once on first use of either. */
    private static final class Choice {
        static final DecodeKernels DECODE;
        static final Kernels NUMERIC;

        static {
            boolean scalarAsked = "scalar".equalsIgnoreCase(System.getProperty(PROPERTY, ""));
            VectorTwin<DecodeKernels> decode = DecodeKernels.vectorTwin();
            VectorTwin<Kernels> numeric = Kernels.vectorTwin();
            DECODE = scalarAsked ? DecodeKernels.scalar() : decode.twin().orElse(DecodeKernels.scalar());
            NUMERIC = scalarAsked ? Kernels.scalar() : numeric.twin().orElse(Kernels.scalar());
            System.Logger log = System.getLogger(VectorSupport.class.getName());
            String why = scalarAsked ? "system property " + PROPERTY + "=scalar" : reason(decode, numeric);
            if (why != null) {
                log.log(Level.INFO, "pedigree kernels: scalar fallback because " + why);
            } else {
                log.log(Level.DEBUG, "pedigree kernels: decode " + DECODE.name() + ", numeric " + NUMERIC.name());
            }
        }

        /** One reason for both families: the same one once when they agree, else each family's. */
        private static String reason(VectorTwin<DecodeKernels> decode, VectorTwin<Kernels> numeric) {
            if (decode.unusable().equals(numeric.unusable())) {
                return decode.unusable().orElse(null);
            }
            List<String> parts = new ArrayList<>();
            decode.unusable().ifPresent(r -> parts.add("decode kernels: " + r));
            numeric.unusable().ifPresent(r -> parts.add("numeric kernels: " + r));
            return String.join("; ", parts);
        }
    }

    /** The decoding kernels in use: the Vector API twin where it runs, else the scalar twin. */
    public static DecodeKernels decode() {
        return Choice.DECODE;
    }

    /** The numeric kernels in use: the Vector API twin where it runs, else the scalar twin. */
    public static Kernels numeric() {
        return Choice.NUMERIC;
    }

    /**
     * Why the Vector API cannot run at all in this JVM (the incubator module is absent), or empty when it is present.
     * Families consult this before loading any class that names {@code jdk.incubator.vector} types.
     */
    static Optional<String> incubatorAbsence() {
        return Incubator.ABSENT;
    }
}
