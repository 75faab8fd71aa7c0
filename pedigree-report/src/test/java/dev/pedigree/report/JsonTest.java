package dev.pedigree.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.report.compare.CompareJson;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The streaming writer gives databind's bytes, and trees it cannot stream still go through databind. */
class JsonTest {

    @Test
    void streamingEqualsDatabindOnEveryNodeType() {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("string", "tab\t quote\" backslash\\ é 한국어 \u0001 </script>");
        tree.put("empty_string", "");
        tree.put("true", true);
        tree.put("null", null);
        tree.put("int", Integer.MIN_VALUE);
        tree.put("long", Long.MAX_VALUE);
        tree.put("short", (short) -7);
        tree.put(
                "doubles",
                Arrays.asList(
                        0.0,
                        -0.0,
                        1e-300,
                        1.7976931348623157e308,
                        0.1,
                        -3253.4,
                        Double.NaN,
                        Double.POSITIVE_INFINITY,
                        1e21,
                        123456789.0));
        tree.put("float", 0.1f);
        tree.put(
                "big_decimals",
                List.of(
                        new BigDecimal("1.2500"),
                        new BigDecimal("1E+5"),
                        new BigDecimal("-3253.4"),
                        new BigDecimal("0.000001")));
        tree.put("big_integer", new BigInteger("123456789012345678901234567890"));
        tree.put("double_array", new double[] {1.5, -2});
        tree.put("int_array", new int[] {1, 2, 3});
        tree.put("long_array", new long[0]);
        tree.put("object_array", new Object[] {"a", 1, null, List.of()});
        tree.put("empty_map", Map.of());
        tree.put("empty_list", List.of());
        tree.put("set", new LinkedHashSet<>(List.of("b", "a")));
        List<Object> deep = new ArrayList<>();
        deep.add(Map.of("k", List.of(Map.of("x", 1))));
        tree.put("nested", deep);
        assertThat(Json.streamable(tree)).isTrue();
        assertThat(Json.stream(tree)).isEqualTo(Json.bind(tree));
        assertThat(Json.write(tree)).isEqualTo(Json.bind(tree)).endsWith("}\n");
    }

    @Test
    void resultTreesStreamToDatabindBytes() {
        for (ComparisonResult r :
                List.of(Cases.int8(), Cases.unrelated(), Cases.transplant(), Cases.tokenizerOnly(), Cases.hostile())) {
            Map<String, Object> tree = CompareJson.tree(r);
            assertThat(Json.streamable(tree)).as(r.verdict().name()).isTrue();
            assertThat(Json.write(tree)).isEqualTo(Json.bind(tree));
        }
    }

    private record Point(int x) {}

    @Test
    void otherNodesGoThroughDatabind() {
        Map<String, Object> withRecord = new LinkedHashMap<>();
        withRecord.put("p", new Point(3));
        assertThat(Json.streamable(withRecord)).isFalse();
        assertThat(Json.write(withRecord)).isEqualTo(Json.bind(withRecord)).contains("\"x\" : 3");
        Map<Object, Object> nonStringKey = new LinkedHashMap<>();
        nonStringKey.put(1, "one");
        assertThat(Json.streamable(Map.of("m", nonStringKey))).isFalse();
        Map<String, Object> byte8 = Map.of("b", (byte) 8);
        assertThat(Json.streamable(byte8)).isFalse();
        assertThat(Json.write(byte8)).isEqualTo(Json.bind(byte8));
    }
}
