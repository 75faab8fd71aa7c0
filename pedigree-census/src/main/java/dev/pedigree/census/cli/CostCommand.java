package dev.pedigree.census.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pedigree.census.fetch.SampledFile;
import dev.pedigree.census.fetch.SampledFile.Range;
import dev.pedigree.census.fetch.SampledModelFetcher;
import dev.pedigree.census.fingerprint.CensusFingerprinter;
import dev.pedigree.census.fingerprint.CensusProfile;
import dev.pedigree.fingerprint.Fingerprint;
import dev.pedigree.fingerprint.FingerprintPairComparator;
import dev.pedigree.forensics.CompareOptions;
import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.model.ArchitectureHints;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code census cost}: what a census costs per model and per test, and projected to a hub.
 * Requests and bytes per model come from the fetcher's own planner run on the headers of real
 * layouts (no weights needed: what the census reads depends on shapes and vocabulary only); the CPU
 * of one test is measured here on simulated 32-layer pairs; the projection multiplies these by the
 * stated model-size mix and candidates per model.
 */
@Command(
        name = "cost",
        description =
                "Requests and bytes per model for real layouts (from the fetch planner), CPU per test (measured), and the projection to a hub of N models.")
final class CostCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--models",
            defaultValue = "500000",
            description = "models of the projected hub; default ${DEFAULT-VALUE}")
    long models;

    @Option(
            names = "--pairs-per-model",
            defaultValue = "8",
            description = "tested pairs per model (the simulated hubs measure 4-5); default ${DEFAULT-VALUE}")
    double pairsPerModel;

    /** A decoder layout and its share of the projected hub. */
    record Layout(String name, int layers, int hidden, int heads, int kvHeads, int mlp, int vocab, double share) {}

    /** The model-size mix of docs/scale-out.md §4.4 (an assumption, to be replaced by the hub listing). */
    static final List<Layout> MIX = List.of(
            new Layout("1B (Llama-3.2-1B shape)", 16, 2048, 32, 8, 8192, 128_256, 0.60),
            new Layout("7B (Llama-2-7B shape)", 32, 4096, 32, 32, 11008, 32_000, 0.30),
            new Layout("32B (Qwen2.5-32B shape)", 64, 5120, 40, 8, 27648, 152_064, 0.08),
            new Layout("70B (Llama-3-70B shape)", 80, 8192, 64, 8, 28672, 128_256, 0.02));

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        CensusProfile p = CensusProfile.DEFAULT;
        out.printf(
                Locale.ROOT,
                "profile: %d units in %d blocks, %d anchor tokens, BF16 weights, one safetensors file%n",
                p.units(),
                p.blocks(),
                p.anchorTokens());
        double reqAll = 0;
        double bytesAll = 0;
        double reqStride = 0;
        double bytesStride = 0;
        for (Layout l : MIX) {
            long[] every = plan(l, p);
            long[] stride4 = plan(l, p.withLayerStride(4));
            out.printf(
                    Locale.ROOT,
                    "%-26s %5.1f GB: every layer %6d requests %8.1f MB (%.2f%%); layer stride 4 %6d requests %8.1f MB%n",
                    l.name(),
                    every[2] / 1e9,
                    every[0],
                    every[1] / 1e6,
                    100.0 * every[1] / every[2],
                    stride4[0],
                    stride4[1] / 1e6);
            reqAll += l.share() * every[0];
            bytesAll += l.share() * every[1];
            reqStride += l.share() * stride4[0];
            bytesStride += l.share() * stride4[1];
        }
        double[] test = measureTests(out);
        double testCpu = 0.6 * test[0] + 0.4 * test[1];
        out.printf(
                Locale.ROOT,
                "%nprojection to %,d models (mix: 60%% 1B, 30%% 7B, 8%% 32B, 2%% 70B; %.0f tested pairs per model, 60%% derivative-like at %.2f CPU-s, 40%% independent-like at %.2f CPU-s, both measured at 32 layers above):%n",
                models,
                pairsPerModel,
                test[0],
                test[1]);
        out.printf(
                Locale.ROOT,
                "  range reads: every layer %.1f TB in %.2f G requests; stride 4 %.1f TB in %.2f G requests (before whole-file de-duplication)%n",
                models * bytesAll / 1e12,
                models * reqAll / 1e9,
                models * bytesStride / 1e12,
                models * reqStride / 1e9);
        out.printf(
                Locale.ROOT, "  resolutions: one per file, about %.1f M (3-4 files per model)%n", models * 3.5 / 1e6);
        out.printf(
                Locale.ROOT,
                "  tests: %.1f M pairs × %.2f CPU-s = %,.0f core-hours%n",
                models * pairsPerModel / 1e6,
                testCpu,
                models * pairsPerModel * testCpu / 3600);
        return 0;
    }

    /** {requests, bytes, model bytes} the planner predicts for one model of layout {@code l}. */
    static long[] plan(Layout l, CensusProfile profile) throws Exception {
        ObjectNode h = new ObjectMapper().createObjectNode();
        long off = 0;
        List<Object[]> tensors = new ArrayList<>();
        int hd = l.hidden() / l.heads();
        tensors.add(new Object[] {"model.embed_tokens.weight", new long[] {l.vocab(), l.hidden()}});
        for (int i = 0; i < l.layers(); i++) {
            String b = "model.layers." + i + ".";
            tensors.add(new Object[] {b + "input_layernorm.weight", new long[] {l.hidden()}});
            tensors.add(new Object[] {b + "self_attn.q_proj.weight", new long[] {l.hidden(), l.hidden()}});
            tensors.add(new Object[] {b + "self_attn.k_proj.weight", new long[] {(long) l.kvHeads() * hd, l.hidden()}});
            tensors.add(new Object[] {b + "self_attn.v_proj.weight", new long[] {(long) l.kvHeads() * hd, l.hidden()}});
            tensors.add(new Object[] {b + "self_attn.o_proj.weight", new long[] {l.hidden(), l.hidden()}});
            tensors.add(new Object[] {b + "post_attention_layernorm.weight", new long[] {l.hidden()}});
            tensors.add(new Object[] {b + "mlp.gate_proj.weight", new long[] {l.mlp(), l.hidden()}});
            tensors.add(new Object[] {b + "mlp.up_proj.weight", new long[] {l.mlp(), l.hidden()}});
            tensors.add(new Object[] {b + "mlp.down_proj.weight", new long[] {l.hidden(), l.mlp()}});
        }
        tensors.add(new Object[] {"model.norm.weight", new long[] {l.hidden()}});
        tensors.add(new Object[] {"lm_head.weight", new long[] {l.vocab(), l.hidden()}});
        for (Object[] t : tensors) {
            long[] shape = (long[]) t[1];
            long n = 2;
            for (long d : shape) {
                n *= d;
            }
            ObjectNode e = h.putObject((String) t[0]);
            e.put("dtype", "BF16");
            var s = e.putArray("shape");
            for (long d : shape) {
                s.add(d);
            }
            e.putArray("data_offsets").add(off).add(off + n);
            off += n;
        }
        byte[] json = new ObjectMapper().writeValueAsBytes(h);
        byte[] head = ByteBuffer.allocate(8 + json.length)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(json.length)
                .put(json)
                .array();
        long size = head.length + off;
        SampledFile sf = new SampledFile("plan:" + l.name(), size, (o, n) -> {
            if (o + n <= head.length) {
                return java.util.Arrays.copyOfRange(head, (int) o, (int) (o + n));
            }
            throw new IllegalStateException("the planner fetches nothing");
        });
        sf.fetch(new Range(0, head.length));
        ArchitectureHints hints =
                new ArchitectureHints("llama", l.hidden(), l.heads(), l.kvHeads(), hd, l.mlp(), l.layers(), false);
        Map<SampledFile, List<Range>> plan = SampledModelFetcher.plan(
                "plan:" + l.name(), List.of(sf), hints, SyntheticTransformer.vocabulary(l.vocab(), 0), off, profile);
        long req = 2; // the header (one request; two when it is larger than the prologue) and the tokenizer
        long bytes = head.length;
        for (Range r : plan.get(sf)) {
            req++;
            bytes += r.length();
        }
        return new long[] {req, bytes, size};
    }

    /** CPU seconds of one census test at 32 layers: {derivative pair, independent pair}, median of 3 after warm-up. */
    static double[] measureTests(PrintWriter out) throws Exception {
        SyntheticTransformer.Config c =
                SyntheticTransformer.Config.smallDecoder().withHidden(256, 512).withLayers(32);
        SimModel base = SyntheticTransformer.random("base", c, 1);
        Fingerprint fb = fp(base);
        Fingerprint fd = fp(DerivationSimulator.noise(base, 0.5, 2));
        Fingerprint fi = fp(DerivationSimulator.matchedRandom(base, 3));
        double[] d = new double[3];
        double[] i = new double[3];
        var mx = ManagementFactory.getThreadMXBean();
        for (int rep = 0; rep < 5; rep++) {
            long t0 = mx.getCurrentThreadCpuTime();
            FingerprintPairComparator.compare(fd, fb, CompareOptions.DEFAULT);
            long t1 = mx.getCurrentThreadCpuTime();
            FingerprintPairComparator.compare(fi, fb, CompareOptions.DEFAULT);
            long t2 = mx.getCurrentThreadCpuTime();
            if (rep >= 2) {
                d[rep - 2] = (t1 - t0) / 1e9;
                i[rep - 2] = (t2 - t1) / 1e9;
            }
        }
        java.util.Arrays.sort(d);
        java.util.Arrays.sort(i);
        out.printf(
                Locale.ROOT,
                "test CPU at 32 layers (width 256, %d units, this machine, thread CPU, median of 3 after 2 warm-ups): derivative pair %.3f s, independent pair %.3f s%n",
                CensusProfile.DEFAULT.units(),
                d[1],
                i[1]);
        return new double[] {d[1], i[1]};
    }

    private static Fingerprint fp(SimModel m) throws Exception {
        return CensusFingerprinter.fingerprint(m.toView(), 0, CensusProfile.DEFAULT)
                .fingerprint();
    }
}
