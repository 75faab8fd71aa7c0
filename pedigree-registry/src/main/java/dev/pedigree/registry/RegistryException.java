package dev.pedigree.registry;

import java.io.IOException;

/**
 * A registry operation that cannot be done as asked: a name already taken or not found, a database
 * that is not a Pedigree registry, a database still locked after every retry. An input error (the
 * CLI exits with 3). The message names the database file.
 */
public final class RegistryException extends IOException {
    private static final long serialVersionUID = 1L;

    public RegistryException(String message) {
        super(message);
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
