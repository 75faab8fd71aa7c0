package dev.pedigree.cli;

import dev.pedigree.format.tokenizers.encode.Encoder;
import dev.pedigree.format.tokenizers.encode.Encoders;
import dev.pedigree.format.tokenizers.encode.FitnessReport;
import dev.pedigree.format.tokenizers.encode.GainToken;
import dev.pedigree.format.tokenizers.encode.LanguageFitness;
import dev.pedigree.format.tokenizers.encode.TokenizerFitness;
import dev.pedigree.format.tokenizers.encode.VocabularyGain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pedigree tokens TOKENIZER... --corpus FILE [--json FILE] [--ancestor TOKENIZER]}. */
@Command(
        name = "tokens",
        mixinStandardHelpOptions = true,
        description = {
            "Encode a text with each tokenizer and report tokens per character and per word, byte-fallback and unknown shares.",
            "With --ancestor, also report which tokens the other tokenizer added over the ancestor and how much of the gain they carry,",
            "so a claim such as \"our vocabulary was built for Korean\" can be checked."
        })
final class TokensCommand implements Callable<Integer> {
    @Parameters(
            arity = "1..*",
            paramLabel = "TOKENIZER",
            description =
                    "tokenizer.json, tokenizer.model, .tiktoken, vocab-only .gguf, vocab.txt, or a model directory.")
    List<Path> tokenizers;

    @Option(names = "--corpus", required = true, paramLabel = "FILE", description = "UTF-8 text, one passage per line.")
    Path corpus;

    @Option(
            names = "--ancestor",
            paramLabel = "TOKENIZER",
            description =
                    "One of the TOKENIZERs to treat as the ancestor; the first other one is analysed as its descendant.")
    Path ancestor;

    @Option(names = "--top", defaultValue = "20", description = "Gain tokens to list (default: ${DEFAULT-VALUE}).")
    int top;

    @Mixin
    JsonOption json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Map<String, Encoder> encoders = new LinkedHashMap<>();
        for (Path t : tokenizers) {
            encoders.put(t.toString(), Encoders.forTokenizer(t));
        }
        String descendant = null;
        String anc = null;
        if (ancestor != null) {
            anc = ancestor.toString();
            if (!encoders.containsKey(anc)) {
                throw new CliException(ExitCode.USAGE, "--ancestor must be one of the TOKENIZERs given");
            }
            for (String k : encoders.keySet()) {
                if (!k.equals(anc)) {
                    descendant = k;
                    break;
                }
            }
            if (descendant == null) {
                throw new CliException(ExitCode.USAGE, "--ancestor needs a second tokenizer to compare with");
            }
        }
        List<String> lines = LanguageFitness.readCorpus(corpus);
        FitnessReport r = LanguageFitness.measure(corpus.toString(), lines, encoders, descendant, anc, top);
        json.write(tree(r), spec.commandLine().getOut());
        if (!json.toStdout()) {
            spec.commandLine().getOut().print(text(r));
        }
        spec.commandLine().getOut().flush();
        return ExitCode.OK.code();
    }

    static String text(FitnessReport r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "Corpus: %s (%d lines, %d characters, %d words, %d bytes)%n%n",
                r.corpus(),
                r.lines(),
                r.characters(),
                r.words(),
                r.bytes()));
        sb.append(String.format(
                Locale.ROOT,
                "  %-48s %8s %10s %9s %9s %9s %9s%n",
                "tokenizer",
                "vocab",
                "tokens",
                "tok/char",
                "tok/word",
                "fallback",
                "unknown"));
        for (TokenizerFitness f : r.tokenizers()) {
            String name =
                    f.name().length() > 48 ? "..." + f.name().substring(f.name().length() - 45) : f.name();
            sb.append(String.format(
                    Locale.ROOT,
                    "  %-48s %8d %10d %9.3f %9.2f %8.1f%% %8.1f%%%n",
                    name,
                    f.vocabularySize(),
                    f.tokens(),
                    f.tokensPerCharacter(),
                    f.tokensPerWord(),
                    100 * f.fallbackShare(),
                    f.tokens() == 0 ? 0 : 100.0 * f.unknownTokens() / f.tokens()));
        }
        r.gainAnalysis().ifPresent(g -> {
            sb.append(String.format(
                    Locale.ROOT,
                    "%nTokens of %s missing from %s: %d entries, %.1f%% of its tokens on this corpus%n",
                    g.descendant(),
                    g.ancestor(),
                    g.descendantOnlyEntries(),
                    100 * g.descendantOnlyShare()));
            sb.append("  by script: ").append(g.occurrencesByScript()).append('\n');
            for (GainToken t : g.top()) {
                sb.append(String.format(
                        Locale.ROOT,
                        "  %-20s %-8s %7d uses, saves %d tokens%n",
                        "'" + t.decoded() + "'",
                        t.script(),
                        t.occurrences(),
                        t.tokensSaved()));
            }
        });
        return sb.toString();
    }

    static Map<String, Object> tree(FitnessReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema", "pedigree/tokens/v1");
        m.put("corpus", r.corpus());
        m.put("lines", r.lines());
        m.put("characters", r.characters());
        m.put("words", r.words());
        m.put("bytes", r.bytes());
        List<Object> ts = new ArrayList<>();
        for (TokenizerFitness f : r.tokenizers()) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("tokenizer", f.name());
            t.put("description", f.description());
            t.put("vocab_size", f.vocabularySize());
            t.put("tokens", f.tokens());
            t.put("tokens_per_character", f.tokensPerCharacter());
            t.put("tokens_per_word", f.tokensPerWord());
            t.put("bytes_per_token", f.bytesPerToken());
            t.put("byte_fallback_tokens", f.byteFallbackTokens());
            t.put("unknown_tokens", f.unknownTokens());
            t.put("partial_character_share", f.partialCharacterShare());
            ts.add(t);
        }
        m.put("tokenizers", ts);
        VocabularyGain g = r.gain();
        if (g != null) {
            Map<String, Object> gm = new LinkedHashMap<>();
            gm.put("descendant", g.descendant());
            gm.put("ancestor", g.ancestor());
            gm.put("descendant_only_entries", g.descendantOnlyEntries());
            gm.put("descendant_only_occurrences", g.descendantOnlyOccurrences());
            gm.put("descendant_only_share", g.descendantOnlyShare());
            gm.put("occurrences_by_script", g.occurrencesByScript());
            List<Object> top = new ArrayList<>();
            for (GainToken t : g.top()) {
                Map<String, Object> tm = new LinkedHashMap<>();
                tm.put("id", t.id());
                tm.put("token", t.decoded());
                tm.put("script", t.script());
                tm.put("occurrences", t.occurrences());
                tm.put("share_of_tokens", t.shareOfTokens());
                tm.put("ancestor_tokens", t.ancestorTokens());
                tm.put("tokens_saved", t.tokensSaved());
                top.add(tm);
            }
            gm.put("top", top);
            m.put("gain", gm);
        }
        return m;
    }
}
