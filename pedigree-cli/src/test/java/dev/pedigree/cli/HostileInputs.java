package dev.pedigree.cli;

import dev.pedigree.format.pytorch.PytorchWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Hostile inputs that every command must refuse with {@link ExitCode#UNSAFE_INPUT}. */
final class HostileInputs {
    private HostileInputs() {}

    /** Writes a torch zip archive whose data.pkl (a protocol-2 pickle) calls {@code os.system("id")}. */
    static Path torchCallingOsSystem(Path file) throws IOException {
        byte[] pickle = {
            (byte) 0x80,
            2,
            'c',
            'o',
            's',
            '\n',
            's',
            'y',
            's',
            't',
            'e',
            'm',
            '\n',
            'X',
            2,
            0,
            0,
            0,
            'i',
            'd',
            (byte) 0x85,
            'R',
            '.'
        };
        Files.write(
                file,
                PytorchWriter.zip(
                        List.of(new PytorchWriter.ZipRecord(
                                file.getFileName().toString().replaceFirst("\\.pt$", "") + "/data.pkl", pickle, false)),
                        false));
        return file;
    }
}
