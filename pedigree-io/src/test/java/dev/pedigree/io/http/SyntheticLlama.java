package dev.pedigree.io.http;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Llama-shaped sharded safetensors model that exists only as a function: an index, per-shard
 * headers generated from the layout, and tensor bytes computed from (shard, offset). Nothing is
 * stored, so a 200 GB model costs a few hundred KB of headers.
 */
final class SyntheticLlama {
    record Tensor(String name, long[] shape, long begin, long end) {}

    record Shard(String name, byte[] prefix, long dataSize, List<Tensor> tensors) {
        long size() {
            return prefix.length + dataSize;
        }
    }

    final int layers;
    final long hidden;
    final long intermediate;
    final long vocab;
    final long kvDim;
    final List<Shard> shards = new ArrayList<>();
    final Map<String, String> weightMap = new LinkedHashMap<>();
    final byte[] indexJson;
    final byte[] configJson;
    long totalTensorBytes;
    long parameters;

    SyntheticLlama(int layers, long hidden, long intermediate, int heads, int kvHeads, long vocab, long shardTarget) {
        this.layers = layers;
        this.hidden = hidden;
        this.intermediate = intermediate;
        this.vocab = vocab;
        this.kvDim = hidden / heads * kvHeads;
        List<Object[]> all = new ArrayList<>();
        all.add(new Object[] {"model.embed_tokens.weight", new long[] {vocab, hidden}});
        for (int i = 0; i < layers; i++) {
            String p = "model.layers." + i + ".";
            all.add(new Object[] {p + "input_layernorm.weight", new long[] {hidden}});
            all.add(new Object[] {p + "self_attn.q_proj.weight", new long[] {hidden, hidden}});
            all.add(new Object[] {p + "self_attn.k_proj.weight", new long[] {kvDim, hidden}});
            all.add(new Object[] {p + "self_attn.v_proj.weight", new long[] {kvDim, hidden}});
            all.add(new Object[] {p + "self_attn.o_proj.weight", new long[] {hidden, hidden}});
            all.add(new Object[] {p + "post_attention_layernorm.weight", new long[] {hidden}});
            all.add(new Object[] {p + "mlp.gate_proj.weight", new long[] {intermediate, hidden}});
            all.add(new Object[] {p + "mlp.up_proj.weight", new long[] {intermediate, hidden}});
            all.add(new Object[] {p + "mlp.down_proj.weight", new long[] {hidden, intermediate}});
        }
        all.add(new Object[] {"model.norm.weight", new long[] {hidden}});
        all.add(new Object[] {"lm_head.weight", new long[] {vocab, hidden}});

        List<List<Object[]>> groups = new ArrayList<>();
        List<Object[]> cur = new ArrayList<>();
        long curBytes = 0;
        for (Object[] t : all) {
            long bytes = bytes((long[]) t[1]);
            if (!cur.isEmpty() && curBytes + bytes > shardTarget) {
                groups.add(cur);
                cur = new ArrayList<>();
                curBytes = 0;
            }
            cur.add(t);
            curBytes += bytes;
            parameters += bytes / 2;
        }
        groups.add(cur);
        for (int s = 0; s < groups.size(); s++) {
            String name = "model-%05d-of-%05d.safetensors".formatted(s + 1, groups.size());
            List<Tensor> tensors = new ArrayList<>();
            StringBuilder json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
            long off = 0;
            for (Object[] t : groups.get(s)) {
                long[] shape = (long[]) t[1];
                long end = off + bytes(shape);
                tensors.add(new Tensor((String) t[0], shape, off, end));
                json.append(",\"").append(t[0]).append("\":{\"dtype\":\"BF16\",\"shape\":[");
                for (int d = 0; d < shape.length; d++) {
                    json.append(d == 0 ? "" : ",").append(shape[d]);
                }
                json.append("],\"data_offsets\":[")
                        .append(off)
                        .append(',')
                        .append(end)
                        .append("]}");
                weightMap.put((String) t[0], name);
                off = end;
            }
            json.append('}');
            while (json.length() % 8 != 0) {
                json.append(' ');
            }
            byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
            byte[] prefix = ByteBuffer.allocate(8 + header.length)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(header.length)
                    .put(header)
                    .array();
            shards.add(new Shard(name, prefix, off, List.copyOf(tensors)));
            totalTensorBytes += off;
        }
        StringBuilder idx =
                new StringBuilder("{\"metadata\":{\"total_size\":" + totalTensorBytes + "},\"weight_map\":{");
        boolean first = true;
        for (Map.Entry<String, String> e : weightMap.entrySet()) {
            idx.append(first ? "" : ",")
                    .append('"')
                    .append(e.getKey())
                    .append("\":\"")
                    .append(e.getValue())
                    .append('"');
            first = false;
        }
        indexJson = idx.append("}}").toString().getBytes(StandardCharsets.UTF_8);
        configJson = ("{\"model_type\":\"llama\",\"architectures\":[\"LlamaForCausalLM\"],\"hidden_size\":" + hidden
                        + ",\"intermediate_size\":" + intermediate + ",\"num_hidden_layers\":" + layers
                        + ",\"num_attention_heads\":" + heads
                        + ",\"num_key_value_heads\":" + kvHeads + ",\"vocab_size\":" + vocab
                        + ",\"torch_dtype\":\"bfloat16\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static long bytes(long[] shape) {
        long n = 2;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Seed of shard {@code s}'s data region. */
    static long seed(int shard) {
        return 1000 + shard;
    }

    long totalFileBytes() {
        return shards.stream().mapToLong(Shard::size).sum();
    }

    /** The expected bytes of shard {@code s} at file offset {@code offset}. */
    byte[] expected(int s, long offset, int length) {
        Shard sh = shards.get(s);
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            long o = offset + i;
            out[i] = o < sh.prefix.length ? sh.prefix[(int) o] : RangeServer.patternByte(seed(s), o - sh.prefix.length);
        }
        return out;
    }

    RangeServer.Resource shardResource(int s) {
        Shard sh = shards.get(s);
        String etag = "\"synthetic-" + s + "\"";
        return new RangeServer.Resource() {
            @Override
            public long size() {
                return sh.size();
            }

            @Override
            public String etag() {
                return etag;
            }

            @Override
            public void write(OutputStream out, long offset, long length) throws IOException {
                long pos = offset;
                long end = offset + length;
                while (pos < end) {
                    int n = (int) Math.min(64 * 1024, end - pos);
                    out.write(expected(s, pos, n));
                    pos += n;
                }
            }
        };
    }

    /** Registers config, index and shards under {@code prefix} (ending in '/'). */
    void serveOn(RangeServer server, String prefix) {
        server.files.put(prefix + "config.json", RangeServer.ofBytes(configJson, "\"config\""));
        server.files.put(prefix + "model.safetensors.index.json", RangeServer.ofBytes(indexJson, "\"index\""));
        for (int s = 0; s < shards.size(); s++) {
            server.files.put(prefix + shards.get(s).name(), shardResource(s));
        }
    }
}
