package dev.pedigree.format.tokenizers.encode;

import java.text.Normalizer;

/**
 * SentencePiece's text normalisation before segmentation: optional NFKC, optional removal of
 * leading, trailing and repeated spaces, spaces escaped as {@code ▁} (U+2581) and the dummy prefix.
 * Immutable and thread-safe.
 *
 * @param nfkc apply NFKC (the {@code nmt_nfkc} normaliser, approximated by plain NFKC)
 * @param removeExtraWhitespaces drop leading and trailing spaces and collapse runs
 * @param addDummyPrefix prepend {@code ▁} at the start of the input and after an added token
 */
record SentencePieceNormalizer(boolean nfkc, boolean removeExtraWhitespaces, boolean addDummyPrefix) {
    static final char SPACE = '\u2581';

    String normalize(String text, boolean first) {
        String s = nfkc ? Normalizer.normalize(text, Normalizer.Form.NFKC) : text;
        if (removeExtraWhitespaces) {
            StringBuilder sb = new StringBuilder(s.length());
            boolean pendingSpace = false;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == ' ') {
                    pendingSpace = sb.length() > 0;
                } else {
                    if (pendingSpace) {
                        sb.append(' ');
                        pendingSpace = false;
                    }
                    sb.append(c);
                }
            }
            s = sb.toString();
        }
        if (s.isEmpty()) {
            return s;
        }
        String escaped = s.replace(' ', SPACE);
        return addDummyPrefix && first ? SPACE + escaped : escaped;
    }
}
