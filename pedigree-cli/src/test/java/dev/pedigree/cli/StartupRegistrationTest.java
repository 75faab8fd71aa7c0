package dev.pedigree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The lazy subcommand registration that keeps one-shot commands quick to start. */
class StartupRegistrationTest {

    @Test
    void versionAloneRegistersNoSubcommand() {
        assertThat(Main.versionOnly(new String[] {"--version"})).isTrue();
        assertThat(Main.versionOnly(new String[] {"--verbose", "-V"})).isTrue();
        assertThat(Main.versionOnly(new String[] {})).isFalse();
        assertThat(Main.versionOnly(new String[] {"--version", "--help"})).isFalse();
        assertThat(Main.versionOnly(new String[] {"inspect", "--version"})).isFalse();

        Cli r = Cli.run("--version");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("pedigree ");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void subcommandIsFoundAndHelpStillListsEveryCommand() {
        assertThat(Main.subcommandFor(new String[] {"--verbose", "inspect", "x"}))
                .isEqualTo(InspectCommand.class);
        assertThat(Main.subcommandFor(new String[] {"--help"})).isNull();
        Cli help = Cli.run("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("inspect", "compare", "calibrate", "registry", "identify", "attest");
        Cli none = Cli.run();
        assertThat(none.exit()).isEqualTo(ExitCode.USAGE.code());
        assertThat(none.err()).contains("missing command");
    }
}
