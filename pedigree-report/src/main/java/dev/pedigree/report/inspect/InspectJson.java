package dev.pedigree.report.inspect;

import dev.pedigree.model.LineageClaim;
import dev.pedigree.model.inspect.Inspection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders an {@link Inspection} as the {@code pedigree/inspect/v1} JSON contract. */
public final class InspectJson {
    public static final String SCHEMA = "pedigree/inspect/v1";

    private InspectJson() {}

    public static Map<String, Object> tree(Inspection in) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema", SCHEMA);
        m.put("source", in.source());
        m.put("format", in.format());
        m.put("architecture", in.architecture());
        m.put("parameters", in.parameters());
        List<Object> comps = new ArrayList<>();
        for (Inspection.ComponentSummary c : in.components()) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("name", c.name());
            cm.put("kind", c.kind().jsonName());
            cm.put("parameters", c.parameters());
            cm.put("layers", c.layers());
            Map<String, Object> roles = new LinkedHashMap<>();
            c.roles().forEach(r -> roles.put(r.role(), r.parameters()));
            cm.put("roles", roles);
            comps.add(cm);
        }
        m.put("components", comps);
        List<Object> ts = new ArrayList<>();
        for (Inspection.TensorSummary t : in.tensors()) {
            Map<String, Object> tm = new LinkedHashMap<>();
            tm.put("name", t.name());
            tm.put("dtype", t.dtype());
            tm.put("shape", t.shape());
            tm.put("component", t.component());
            tm.put("layer", t.layer());
            tm.put("role", t.role());
            tm.put("part", t.part());
            if (t.expert() != null) {
                tm.put("expert", t.expert());
            }
            if (t.sha256() != null) {
                tm.put("sha256", t.sha256());
            }
            if (t.canonicalSha256() != null) {
                tm.put("canonical_sha256", t.canonicalSha256());
            }
            ts.add(tm);
        }
        m.put("tensors", ts);
        if (in.tokenizer() == null) {
            m.put("tokenizer", null);
        } else {
            Map<String, Object> tk = new LinkedHashMap<>();
            tk.put("type", in.tokenizer().type());
            tk.put("vocab_size", in.tokenizer().vocabSize());
            tk.put("special_tokens", in.tokenizer().specialTokens());
            tk.put("merges", in.tokenizer().merges());
            tk.put("pre_tokenizer", in.tokenizer().preTokenizer());
            m.put("tokenizer", tk);
        }
        List<Object> cl = new ArrayList<>();
        for (LineageClaim c : in.claims()) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("relation", c.relation());
            cm.put("value", c.value());
            cm.put("origin", c.origin());
            cl.add(cm);
        }
        m.put("claims", cl);
        Map<String, Object> safety = new LinkedHashMap<>();
        safety.put("status", in.safety().status());
        safety.put("detail", in.safety().detail());
        m.put("safety", safety);
        List<Object> files = new ArrayList<>();
        for (Inspection.FileSummary f : in.files()) {
            Map<String, Object> fm = new LinkedHashMap<>(); // not Map.of: its order changes from run to run
            fm.put("path", f.path());
            fm.put("bytes", f.bytes());
            files.add(fm);
        }
        m.put("files", files);
        m.put("warnings", in.warnings());
        return m;
    }
}
