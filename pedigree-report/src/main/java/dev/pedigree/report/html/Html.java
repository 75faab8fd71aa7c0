package dev.pedigree.report.html;

import dev.pedigree.report.svg.DataTable;
import dev.pedigree.report.svg.Svg;
import java.util.List;

/** HTML escaping and small markup pieces shared by the report. */
public final class Html {
    private Html() {}

    /** Escapes text for element content and double-quoted attributes (same rules as the SVG writer). */
    public static String escape(String s) {
        return Svg.escape(s);
    }

    /** Escapes, then sets "10^-N" exponents as superscripts. */
    static String withExponents(String s) {
        return escape(s).replaceAll("10\\^(-?\\d+)", "10<sup>$1</sup>").replace("<sup>-", "<sup>\u2212");
    }

    /** A table; the first column is a row header when {@code rowHeaders}. */
    static void table(StringBuilder sb, DataTable t, String caption, boolean rowHeaders) {
        sb.append("<div class=\"table-wrap\"><table>\n");
        if (caption != null) {
            sb.append("<caption>").append(escape(caption)).append("</caption>\n");
        }
        sb.append("<thead><tr>");
        for (String h : t.headers()) {
            sb.append("<th scope=\"col\">").append(escape(h)).append("</th>");
        }
        sb.append("</tr></thead>\n<tbody>\n");
        for (List<String> row : t.rows()) {
            sb.append("<tr>");
            for (int i = 0; i < row.size(); i++) {
                if (i == 0 && rowHeaders) {
                    sb.append("<th scope=\"row\">")
                            .append(withExponents(row.get(i)))
                            .append("</th>");
                } else {
                    sb.append("<td>").append(withExponents(row.get(i))).append("</td>");
                }
            }
            sb.append("</tr>\n");
        }
        sb.append("</tbody>\n</table></div>\n");
    }
}
