package dev.pedigree.forensics;

import dev.pedigree.io.ModelFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.stream.IntStream;

/** Index-parallel loops over the common pool whose bodies read models (and so throw checked exceptions). */
final class ParallelTasks {
    private ParallelTasks() {}

    /** A loop body for index i. */
    interface Task {
        void run(int i) throws IOException, ModelFormatException;
    }

    /**
     * Runs {@code task} for 0 .. n−1: on the caller's thread when n &lt; {@code sequentialBelow}, otherwise spread
     * over the common pool. Each index must write only its own part of the output, so the result does not depend
     * on the order; the first failure is rethrown as it was thrown.
     */
    static void forEach(int n, int sequentialBelow, Task task) throws IOException, ModelFormatException {
        if (n < sequentialBelow) {
            for (int i = 0; i < n; i++) {
                task.run(i);
            }
            return;
        }
        try {
            IntStream.range(0, n).parallel().forEach(i -> {
                try {
                    task.run(i);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (ModelFormatException e) {
                    throw new FormatFailure(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (FormatFailure e) {
            throw (ModelFormatException) e.getCause();
        }
    }

    /** Carries a {@link ModelFormatException} out of a parallel stream. */
    private static final class FormatFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FormatFailure(ModelFormatException cause) {
            super(cause);
        }
    }
}
