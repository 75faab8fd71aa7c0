package dev.pedigree.format.tokenizers;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.io.json.JsonCursor;
import dev.pedigree.model.Token;
import dev.pedigree.model.TokenKind;
import dev.pedigree.model.TokenText;
import dev.pedigree.model.TokenizerType;
import dev.pedigree.model.Vocabulary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a GPT-2 style byte-level BPE vocabulary: {@code vocab.json} ({@code {token: id}}) and
 * {@code merges.txt} (one {@code left right} merge per line in rank order, optionally after a
 * {@code #version: ...} first line). Tokens are mapped back through the GPT-2 byte alphabet.
 *
 * <p>These files do not mark special tokens, so {@code <|...|>} tokens and RoBERTa's {@code <s>},
 * {@code </s>}, {@code <pad>}, {@code <mask>} are taken as {@link TokenKind#SPECIAL} and {@code
 * <unk>} as {@link TokenKind#UNKNOWN}; {@link Tokenizers#readDirectory} refines this with {@code
 * tokenizer_config.json}. Each merge's parts and result must be in the vocabulary.
 *
 * <p>Stateless and thread-safe.
 */
public final class VocabJsonMergesReader {
    private static final Pattern PIPE_SPECIAL = Pattern.compile("<\\|[^|\\s]+\\|>");
    private static final Set<String> ROBERTA_SPECIALS = Set.of("<s>", "</s>", "<pad>", "<mask>");

    private VocabJsonMergesReader() {}

    /** Reads {@code vocab.json} and {@code merges.txt}. */
    public static Vocabulary read(Path vocabJson, Path mergesTxt) throws IOException, ModelFormatException {
        try (ByteSource vocab = ByteSource.map(vocabJson);
                ByteSource merges = ByteSource.map(mergesTxt)) {
            return read(vocab, merges);
        }
    }

    /**
     * Reads the pair from sources owned by the caller.
     *
     * @throws CorruptModelException naming {@code vocab.json} or {@code merges.txt} and the offset of
     *     the bad entry (repeated token or id, malformed merge line, merge outside the vocabulary)
     */
    public static Vocabulary read(ByteSource vocabJson, ByteSource mergesTxt) throws IOException, ModelFormatException {
        List<String> texts = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        try (JsonCursor c = JsonCursor.open(vocabJson, "vocab.json")) {
            c.next("vocab.json");
            TokenizerJsonReader.readVocabObject(c, texts, ids, offsets, "vocab.json");
            c.expectEnd();
        }
        String source = vocabJson.description();
        if (texts.isEmpty()) {
            throw new CorruptModelException(source, 0, "vocab.json is empty");
        }
        Map<String, Integer> idOfText = new HashMap<>(texts.size() * 2);
        Map<Integer, String> textOfId = new HashMap<>(texts.size() * 2);
        List<Token> tokens = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            int id = ids.get(i);
            if (idOfText.putIfAbsent(text, id) != null) {
                throw new CorruptModelException(
                        source, offsets.get(i), "token '" + TokenizerJsonReader.abbreviate(text) + "' appears twice");
            }
            String prior = textOfId.putIfAbsent(id, text);
            if (prior != null) {
                throw new CorruptModelException(
                        source,
                        offsets.get(i),
                        "id " + id + " is used by '" + TokenizerJsonReader.abbreviate(prior) + "' and '"
                                + TokenizerJsonReader.abbreviate(text) + "'");
            }
            tokens.add(token(id, text));
        }
        List<Vocabulary.Merge> merges = readMerges(mergesTxt, idOfText);
        return new Vocabulary(TokenizerType.BPE, tokens, merges, null, source);
    }

    private static Token token(int id, String text) {
        if (text.equals("<unk>")) {
            return new Token(id, text.getBytes(StandardCharsets.UTF_8), text, TokenKind.UNKNOWN, Float.NaN);
        }
        if (ROBERTA_SPECIALS.contains(text) || PIPE_SPECIAL.matcher(text).matches()) {
            return new Token(id, text.getBytes(StandardCharsets.UTF_8), text, TokenKind.SPECIAL, Float.NaN);
        }
        byte[] b = TokenText.fromByteLevel(text);
        return new Token(id, b != null ? b : text.getBytes(StandardCharsets.UTF_8), text, TokenKind.NORMAL, Float.NaN);
    }

    private static List<Vocabulary.Merge> readMerges(ByteSource in, Map<String, Integer> vocab)
            throws IOException, ModelFormatException {
        TextLines lines = new TextLines(in.description(), TextLines.heapCopy(in, "merges.txt"));
        List<Vocabulary.Merge> merges = new ArrayList<>();
        while (lines.next()) {
            if (lines.lineNumber() == 1
                    && lines.length() >= 8
                    && new String(lines.data(), lines.start(), 8, StandardCharsets.ISO_8859_1).equals("#version")) {
                continue;
            }
            if (lines.length() == 0) {
                continue;
            }
            String line = lines.text("merge");
            int space = line.indexOf(' ');
            if (space <= 0 || space == line.length() - 1 || line.indexOf(' ', space + 1) >= 0) {
                throw lines.corrupt("merge '" + TokenizerJsonReader.abbreviate(line)
                        + "' is not two tokens separated by one space");
            }
            String left = line.substring(0, space);
            String right = line.substring(space + 1);
            for (String part : new String[] {left, right, left + right}) {
                if (!vocab.containsKey(part)) {
                    throw lines.corrupt(
                            "merge uses '" + TokenizerJsonReader.abbreviate(part) + "', which is not in vocab.json");
                }
            }
            if (merges.size() >= TokenizerJsonReader.MAX_ENTRIES) {
                throw new UnsupportedModelException(
                        in.description(),
                        lines.offset(),
                        "merges.txt has more than " + TokenizerJsonReader.MAX_ENTRIES + " merges");
            }
            merges.add(new Vocabulary.Merge(left, right));
        }
        return merges;
    }
}
