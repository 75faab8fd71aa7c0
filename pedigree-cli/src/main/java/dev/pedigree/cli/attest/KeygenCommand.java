package dev.pedigree.cli.attest;

import dev.pedigree.attest.Ed25519Keys;
import dev.pedigree.cli.CliException;
import dev.pedigree.cli.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code attest keygen --out PREFIX}: writes PREFIX.key (PKCS#8 PEM) and PREFIX.pub (X.509 PEM). */
@Command(
        name = "keygen",
        mixinStandardHelpOptions = true,
        description =
                "Generate an Ed25519 signing key pair: PREFIX.key (PKCS#8 PEM, private) and PREFIX.pub (X.509 PEM).")
public final class KeygenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "PREFIX", description = "Path prefix of the two key files.")
    Path out;

    @Option(names = "--force", description = "Overwrite existing key files.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        Path priv = out.resolveSibling(out.getFileName() + ".key");
        Path pub = out.resolveSibling(out.getFileName() + ".pub");
        if (!force && (Files.exists(priv) || Files.exists(pub))) {
            throw new CliException(ExitCode.INPUT_ERROR, priv + " or " + pub + " exists (use --force to overwrite)");
        }
        KeyPair kp = Ed25519Keys.generate();
        Ed25519Keys.write(kp, out);
        spec.commandLine()
                .getOut()
                .println("wrote " + priv + " and " + pub + "; key id " + Ed25519Keys.keyId(kp.getPublic()));
        return ExitCode.OK.code();
    }
}
