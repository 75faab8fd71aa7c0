package dev.pedigree.cli;

import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * The EXAMPLES section of every command's help, keyed by the command's qualified name ("pedigree registry add"):
 * set on the command tree by {@link #apply}, printed under "Examples:" after the options. A command without an
 * entry here fails {@code HelpConventionsTest}. No {@code %} in an example (picocli formats help text).
 */
final class Examples {
    private Examples() {}

    static final Map<String, List<String>> BY_COMMAND = Map.ofEntries(
            Map.entry(
                    "pedigree",
                    List.of(
                            "pedigree inspect model.safetensors",
                            "pedigree compare suspect/ reference/ --html report.html",
                            "pedigree identify suspect/ --registry registry.db",
                            "pedigree compare --help          (every command has --help)")),
            Map.entry(
                    "pedigree inspect",
                    List.of(
                            "pedigree inspect model.safetensors",
                            "pedigree inspect hf:sentence-transformers/all-MiniLM-L6-v2 --tensors",
                            "pedigree inspect model.gguf --json inspect.json --no-hashes")),
            Map.entry(
                    "pedigree compare",
                    List.of(
                            "pedigree compare suspect/ base/           (exit 10, 11 or 12: the verdict)",
                            "pedigree compare suspect/ base/ --html report.html --dossier evidence/",
                            "pedigree compare big.gguf base.gguf --sample 256 --quiet",
                            "pedigree compare a/tokenizer.json b/tokenizer.json   (tokenizers only)")),
            Map.entry(
                    "pedigree calibrate",
                    List.of(
                            "pedigree calibrate",
                            "pedigree calibrate --pairs 200 --trained-pairs 20 --larger-trained-pairs 5")),
            Map.entry(
                    "pedigree tokens",
                    List.of(
                            "pedigree tokens a/tokenizer.json b/tokenizer.json --corpus text.txt",
                            "pedigree tokens base.json tuned.json --corpus ko.txt --ancestor base.json")),
            Map.entry(
                    "pedigree report",
                    List.of(
                            "pedigree compare suspect/ base/ --json result.json",
                            "pedigree report result.json --html report.html",
                            "pedigree report result.json --markdown - --cyclonedx bom.json")),
            Map.entry(
                    "pedigree fingerprint",
                    List.of(
                            "pedigree fingerprint model/ -o model.pfp",
                            "pedigree fingerprint model.gguf -o model.pfp --units 128 --anchors 512")),
            Map.entry(
                    "pedigree registry",
                    List.of(
                            "pedigree registry seed models/",
                            "pedigree registry add base/ --name org/base --license Apache-2.0",
                            "pedigree registry list --registry team.db")),
            Map.entry(
                    "pedigree registry add",
                    List.of(
                            "pedigree registry add base/ --name org/base --license MIT --revision v1.0",
                            "pedigree registry add tuned/ --name org/tuned --parent org/base")),
            Map.entry(
                    "pedigree registry list",
                    List.of("pedigree registry list", "pedigree registry list --registry team.db")),
            Map.entry("pedigree registry show", List.of("pedigree registry show org/base")),
            Map.entry("pedigree registry remove", List.of("pedigree registry remove org/base --registry team.db")),
            Map.entry("pedigree registry export", List.of("pedigree registry export team-pack.zip")),
            Map.entry(
                    "pedigree registry import",
                    List.of(
                            "sha256sum team-pack.zip   (check it against the digest its author published)",
                            "pedigree registry import team-pack.zip")),
            Map.entry(
                    "pedigree registry seed",
                    List.of("pedigree registry seed ~/models", "pedigree registry seed a.gguf b/ --registry team.db")),
            Map.entry(
                    "pedigree identify",
                    List.of(
                            "pedigree identify suspect/",
                            "pedigree identify suspect.gguf --registry team.db --json identify.json",
                            "pedigree identify suspect/ --tensors --timing")),
            Map.entry(
                    "pedigree attest",
                    List.of(
                            "pedigree attest record --ledger run.ledger checkpoints/step-*",
                            "pedigree attest verify run.ledger --release final/ --registry registry.db")),
            Map.entry(
                    "pedigree attest record",
                    List.of(
                            "pedigree attest record --ledger run.ledger ckpt/step-000000 ckpt/step-001000",
                            "pedigree attest record --ledger run.ledger last.safetensors --step 5000")),
            Map.entry(
                    "pedigree attest verify",
                    List.of(
                            "pedigree attest verify run.ledger --release final/",
                            "pedigree attest verify run.ledger --release final/ --registry registry.db",
                            "pedigree attest verify run.ledger --release final/ --json verify.json",
                            "pedigree attest verify run.ledger --release out/ --statement s --key k.key",
                            "pedigree attest verify run.ledger --release out/ --statement s --key k.pub")),
            Map.entry(
                    "pedigree attest keygen", List.of("pedigree attest keygen --out me   (writes me.key and me.pub)")),
            Map.entry("pedigree help", List.of("pedigree help compare", "pedigree help registry add")));

    /**
     * Sets the Examples section of {@code cl} and of every subcommand under it that has an entry: the examples come
     * first under "Examples:", then any footer the command already had (the exit codes of {@code pedigree}).
     */
    static void apply(CommandLine cl) {
        List<String> lines = BY_COMMAND.get(cl.getCommandSpec().qualifiedName());
        if (lines != null) {
            CommandLine.Model.UsageMessageSpec u = cl.getCommandSpec().usageMessage();
            List<String> footer = new java.util.ArrayList<>();
            lines.forEach(l -> footer.add("  " + l));
            footer.addAll(List.of(u.footer()));
            u.footerHeading("%nExamples:%n").footer(footer.toArray(String[]::new));
        }
        for (CommandLine sub : cl.getSubcommands().values()) {
            apply(sub);
        }
    }
}
