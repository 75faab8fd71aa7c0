package dev.pedigree.model.naming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.Component;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real tensor names from released checkpoints, one per row, with the full expected address.
 *
 * <p>Columns: name, architecture hint ({@code -} for none), component ({@code dec} text decoder,
 * {@code enc} text encoder, {@code emb}, {@code head}, {@code vis}, {@code aud}, {@code proj},
 * {@code exp}, or an {@code other:...} name), layer, role, expert ({@code -}, {@code S} for the
 * shared expert, or the index) and part ({@code W} weight, {@code B} bias, {@code S} quant scale,
 * {@code Z} zero point, {@code BUF} buffer).
 */
class TensorNamingClassifyTest {

    static final String TABLE = """
      # Llama / Mistral (HF)
      model.embed_tokens.weight                                   -           emb   -  EMBEDDING        -  W
      lm_head.weight                                              -           head  -  LM_HEAD          -  W
      model.norm.weight                                           -           dec   -  FINAL_NORM       -  W
      model.layers.0.self_attn.q_proj.weight                      -           dec   0  ATTN_Q           -  W
      model.layers.0.self_attn.k_proj.weight                      llama       dec   0  ATTN_K           -  W
      model.layers.0.self_attn.v_proj.weight                      llama       dec   0  ATTN_V           -  W
      model.layers.31.self_attn.o_proj.weight                     llama       dec   31 ATTN_O           -  W
      model.layers.5.input_layernorm.weight                       llama       dec   5  ATTN_NORM        -  W
      model.layers.5.post_attention_layernorm.weight              llama       dec   5  MLP_NORM         -  W
      model.layers.5.mlp.gate_proj.weight                         llama       dec   5  MLP_GATE         -  W
      model.layers.5.mlp.up_proj.weight                           llama       dec   5  MLP_UP           -  W
      model.layers.5.mlp.down_proj.weight                         llama       dec   5  MLP_DOWN         -  W
      model.layers.0.self_attn.rotary_emb.inv_freq                llama       dec   0  OTHER            -  BUF
      model.layers.39.mlp.down_proj.weight                        mistral     dec   39 MLP_DOWN         -  W
      # Qwen2 / Qwen3 / MoE
      model.layers.3.self_attn.q_proj.bias                        qwen2       dec   3  ATTN_Q           -  B
      model.layers.3.self_attn.k_proj.bias                        qwen2       dec   3  ATTN_K           -  B
      model.layers.3.self_attn.v_proj.bias                        qwen2       dec   3  ATTN_V           -  B
      model.layers.7.self_attn.q_norm.weight                      qwen3       dec   7  ATTN_Q_NORM      -  W
      model.layers.7.self_attn.k_norm.weight                      qwen3       dec   7  ATTN_K_NORM      -  W
      model.layers.2.mlp.gate.weight                              qwen3_moe   exp   2  ROUTER           -  W
      model.layers.2.mlp.experts.17.gate_proj.weight              qwen3_moe   exp   2  MLP_GATE         17 W
      model.layers.2.mlp.experts.17.up_proj.weight                qwen3_moe   exp   2  MLP_UP           17 W
      model.layers.47.mlp.experts.127.down_proj.weight            qwen3_moe   exp   47 MLP_DOWN         127 W
      model.layers.0.mlp.shared_expert.gate_proj.weight           qwen2_moe   exp   0  MLP_GATE         S  W
      model.layers.0.mlp.shared_expert.down_proj.weight           qwen2_moe   exp   0  MLP_DOWN         S  W
      model.layers.0.mlp.shared_expert_gate.weight                qwen2_moe   exp   0  ROUTER           S  W
      # Mixtral
      model.layers.0.block_sparse_moe.gate.weight                 mixtral     exp   0  ROUTER           -  W
      model.layers.0.block_sparse_moe.experts.3.w1.weight         mixtral     exp   0  MLP_GATE         3  W
      model.layers.0.block_sparse_moe.experts.3.w2.weight         mixtral     exp   0  MLP_DOWN         3  W
      model.layers.0.block_sparse_moe.experts.3.w3.weight         mixtral     exp   0  MLP_UP           3  W
      # Gemma 1/2/3
      model.layers.0.post_attention_layernorm.weight              gemma       dec   0  MLP_NORM         -  W
      model.layers.0.post_attention_layernorm.weight              gemma2      dec   0  POST_ATTN_NORM   -  W
      model.layers.0.pre_feedforward_layernorm.weight             gemma2      dec   0  MLP_NORM         -  W
      model.layers.0.post_feedforward_layernorm.weight            gemma2      dec   0  POST_MLP_NORM    -  W
      language_model.model.layers.4.post_attention_layernorm.weight gemma3    dec   4  POST_ATTN_NORM   -  W
      model.language_model.layers.4.self_attn.q_norm.weight       gemma3      dec   4  ATTN_Q_NORM      -  W
      model.language_model.layers.4.post_feedforward_layernorm.weight gemma3  dec   4  POST_MLP_NORM    -  W
      language_model.model.embed_tokens.weight                    gemma3      emb   -  EMBEDDING        -  W
      model.language_model.embed_tokens.weight                    gemma3      emb   -  EMBEDDING        -  W
      model.language_model.norm.weight                            gemma3      dec   -  FINAL_NORM       -  W
      language_model.lm_head.weight                               llava       head  -  LM_HEAD          -  W
      # Phi-3 / Phi-2
      model.layers.0.self_attn.qkv_proj.weight                    phi3        dec   0  ATTN_QKV         -  W
      model.layers.0.mlp.gate_up_proj.weight                      phi3        dec   0  MLP_GATE_UP      -  W
      model.layers.0.self_attn.o_proj.weight                      phi3        dec   0  ATTN_O           -  W
      model.layers.0.self_attn.dense.weight                       phi         dec   0  ATTN_O           -  W
      model.layers.0.mlp.fc1.weight                               phi         dec   0  MLP_UP           -  W
      model.layers.0.mlp.fc2.bias                                 phi         dec   0  MLP_DOWN         -  B
      model.final_layernorm.weight                                phi         dec   -  FINAL_NORM       -  W
      lm_head.bias                                                phi         head  -  LM_HEAD          -  B
      # DeepSeek V2/V3 (MLA, MoE, FP8)
      model.layers.0.self_attn.q_a_proj.weight                    deepseek_v3 dec   0  ATTN_Q_A         -  W
      model.layers.0.self_attn.q_a_layernorm.weight               deepseek_v3 dec   0  ATTN_Q_A_NORM    -  W
      model.layers.0.self_attn.q_b_proj.weight                    deepseek_v3 dec   0  ATTN_Q_B         -  W
      model.layers.0.self_attn.kv_a_proj_with_mqa.weight          deepseek_v3 dec   0  ATTN_KV_A        -  W
      model.layers.0.self_attn.kv_a_layernorm.weight              deepseek_v3 dec   0  ATTN_KV_A_NORM   -  W
      model.layers.0.self_attn.kv_b_proj.weight                   deepseek_v3 dec   0  ATTN_KV_B        -  W
      model.layers.0.self_attn.q_a_proj.weight_scale_inv          deepseek_v3 dec   0  ATTN_Q_A         -  S
      model.layers.3.mlp.gate.weight                              deepseek_v3 exp   3  ROUTER           -  W
      model.layers.3.mlp.gate.e_score_correction_bias             deepseek_v3 exp   3  ROUTER_BIAS      -  B
      model.layers.3.mlp.experts.255.down_proj.weight             deepseek_v3 exp   3  MLP_DOWN         255 W
      model.layers.3.mlp.experts.0.gate_proj.weight_scale_inv     deepseek_v3 exp   3  MLP_GATE         0  S
      model.layers.3.mlp.shared_experts.up_proj.weight            deepseek_v3 exp   3  MLP_UP           S  W
      model.layers.3.mlp.shared_experts.down_proj.weight_scale_inv deepseek_v3 exp  3  MLP_DOWN         S  S
      model.layers.61.enorm.weight                                deepseek_v3 other:model.layers 61 OTHER -  W
      model.layers.61.shared_head.head.weight                     deepseek_v3 other:model.layers 61 OTHER -  W
      # ChatGLM / GLM-4 / GLM-4-0414 / GLM-4.5
      transformer.embedding.word_embeddings.weight                chatglm     emb   -  EMBEDDING        -  W
      transformer.encoder.layers.0.input_layernorm.weight         chatglm     dec   0  ATTN_NORM        -  W
      transformer.encoder.layers.0.self_attention.query_key_value.weight chatglm dec 0 ATTN_QKV         -  W
      transformer.encoder.layers.0.self_attention.query_key_value.bias chatglm dec 0  ATTN_QKV         -  B
      transformer.encoder.layers.0.self_attention.dense.weight    chatglm     dec   0  ATTN_O           -  W
      transformer.encoder.layers.0.post_attention_layernorm.weight chatglm    dec   0  MLP_NORM         -  W
      transformer.encoder.layers.27.mlp.dense_h_to_4h.weight      chatglm     dec   27 MLP_GATE_UP      -  W
      transformer.encoder.layers.27.mlp.dense_4h_to_h.weight      chatglm     dec   27 MLP_DOWN         -  W
      transformer.encoder.final_layernorm.weight                  chatglm     dec   -  FINAL_NORM       -  W
      transformer.output_layer.weight                             chatglm     head  -  LM_HEAD          -  W
      transformer.rotary_pos_emb.inv_freq                         chatglm     dec   -  OTHER            -  BUF
      model.layers.0.post_self_attn_layernorm.weight              glm4        dec   0  POST_ATTN_NORM   -  W
      model.layers.0.post_mlp_layernorm.weight                    glm4        dec   0  POST_MLP_NORM    -  W
      model.layers.0.post_attention_layernorm.weight              glm4        dec   0  MLP_NORM         -  W
      model.layers.0.mlp.gate_up_proj.weight                      glm4        dec   0  MLP_GATE_UP      -  W
      model.layers.5.mlp.gate.e_score_correction_bias             glm4_moe    exp   5  ROUTER_BIAS      -  B
      model.layers.5.mlp.experts.12.up_proj.weight                glm4_moe    exp   5  MLP_UP           12 W
      # GPT-2 / GPT-J
      wte.weight                                                  gpt2        emb   -  EMBEDDING        -  W
      wpe.weight                                                  gpt2        dec   -  POSITION_EMBEDDING - W
      h.0.ln_1.weight                                             gpt2        dec   0  ATTN_NORM        -  W
      h.0.ln_1.bias                                               gpt2        dec   0  ATTN_NORM        -  B
      h.0.attn.c_attn.weight                                      gpt2        dec   0  ATTN_QKV         -  W
      h.0.attn.c_attn.bias                                        gpt2        dec   0  ATTN_QKV         -  B
      h.0.attn.c_proj.weight                                      gpt2        dec   0  ATTN_O           -  W
      h.11.ln_2.weight                                            gpt2        dec   11 MLP_NORM         -  W
      h.11.mlp.c_fc.weight                                        gpt2        dec   11 MLP_UP           -  W
      h.11.mlp.c_proj.weight                                      gpt2        dec   11 MLP_DOWN         -  W
      ln_f.weight                                                 gpt2        dec   -  FINAL_NORM       -  W
      transformer.h.0.attn.bias                                   gpt2        dec   0  OTHER            -  BUF
      transformer.h.0.attn.masked_bias                            gpt2        dec   0  OTHER            -  BUF
      transformer.wte.weight                                      gpt2        emb   -  EMBEDDING        -  W
      transformer.ln_f.bias                                       gpt2        dec   -  FINAL_NORM       -  B
      transformer.h.3.attn.q_proj.weight                          gptj        dec   3  ATTN_Q           -  W
      transformer.h.3.attn.out_proj.weight                        gptj        dec   3  ATTN_O           -  W
      transformer.h.3.mlp.fc_in.weight                            gptj        dec   3  MLP_UP           -  W
      transformer.h.3.mlp.fc_out.bias                             gptj        dec   3  MLP_DOWN         -  B
      # GPT-NeoX / Pythia, BLOOM, Falcon
      gpt_neox.embed_in.weight                                    gpt_neox    emb   -  EMBEDDING        -  W
      gpt_neox.layers.0.input_layernorm.weight                    gpt_neox    dec   0  ATTN_NORM        -  W
      gpt_neox.layers.0.post_attention_layernorm.weight           gpt_neox    dec   0  MLP_NORM         -  W
      gpt_neox.layers.0.attention.query_key_value.weight          gpt_neox    dec   0  ATTN_QKV         -  W
      gpt_neox.layers.0.attention.query_key_value.bias            -           dec   0  ATTN_QKV         -  B
      gpt_neox.layers.0.attention.dense.weight                    gpt_neox    dec   0  ATTN_O           -  W
      gpt_neox.layers.5.mlp.dense_h_to_4h.weight                  gpt_neox    dec   5  MLP_UP           -  W
      gpt_neox.layers.5.mlp.dense_4h_to_h.bias                    gpt_neox    dec   5  MLP_DOWN         -  B
      gpt_neox.final_layer_norm.weight                            gpt_neox    dec   -  FINAL_NORM       -  W
      embed_out.weight                                            gpt_neox    head  -  LM_HEAD          -  W
      gpt_neox.layers.0.attention.rotary_emb.inv_freq             gpt_neox    dec   0  OTHER            -  BUF
      gpt_neox.layers.0.attention.bias                            gpt_neox    dec   0  OTHER            -  BUF
      gpt_neox.layers.0.attention.masked_bias                     gpt_neox    dec   0  OTHER            -  BUF
      transformer.word_embeddings.weight                          bloom       emb   -  EMBEDDING        -  W
      transformer.word_embeddings_layernorm.weight                bloom       dec   -  EMBEDDING_NORM   -  W
      transformer.h.2.self_attention.query_key_value.weight       bloom       dec   2  ATTN_QKV         -  W
      transformer.h.2.self_attention.dense.weight                 bloom       dec   2  ATTN_O           -  W
      transformer.h.2.mlp.dense_h_to_4h.weight                    bloom       dec   2  MLP_UP           -  W
      transformer.h.0.ln_attn.weight                              falcon      dec   0  ATTN_NORM        -  W
      transformer.h.0.ln_mlp.weight                               falcon      dec   0  MLP_NORM         -  W
      # BERT / RoBERTa / DistilBERT and ONNX-derived names
      bert.embeddings.word_embeddings.weight                      bert        emb   -  EMBEDDING        -  W
      bert.embeddings.position_embeddings.weight                  bert        enc   -  POSITION_EMBEDDING - W
      bert.embeddings.token_type_embeddings.weight                bert        enc   -  TOKEN_TYPE_EMBEDDING - W
      bert.embeddings.LayerNorm.weight                            bert        enc   -  EMBEDDING_NORM   -  W
      bert.embeddings.LayerNorm.gamma                             -           enc   -  EMBEDDING_NORM   -  W
      bert.embeddings.LayerNorm.beta                              -           enc   -  EMBEDDING_NORM   -  B
      bert.embeddings.position_ids                                bert        enc   -  OTHER            -  BUF
      bert.encoder.layer.0.attention.self.query.weight            bert        enc   0  ATTN_Q           -  W
      bert.encoder.layer.0.attention.self.key.bias                bert        enc   0  ATTN_K           -  B
      bert.encoder.layer.0.attention.self.value.weight            bert        enc   0  ATTN_V           -  W
      bert.encoder.layer.0.attention.output.dense.weight          bert        enc   0  ATTN_O           -  W
      bert.encoder.layer.0.attention.output.LayerNorm.weight      bert        enc   0  POST_ATTN_NORM   -  W
      bert.encoder.layer.0.attention.output.LayerNorm.gamma       -           enc   0  POST_ATTN_NORM   -  W
      bert.encoder.layer.11.intermediate.dense.weight             bert        enc   11 MLP_UP           -  W
      bert.encoder.layer.11.output.dense.weight                   bert        enc   11 MLP_DOWN         -  W
      bert.encoder.layer.11.output.LayerNorm.beta                 -           enc   11 POST_MLP_NORM    -  B
      bert.pooler.dense.weight                                    bert        enc   -  POOLER           -  W
      cls.predictions.decoder.weight                              bert        head  -  LM_HEAD          -  W
      cls.predictions.bias                                        bert        head  -  LM_HEAD          -  B
      cls.predictions.transform.dense.weight                      bert        other:cls - OTHER         -  W
      embeddings.word_embeddings.weight                           -           emb   -  EMBEDDING        -  W
      embeddings.LayerNorm.bias                                   -           enc   -  EMBEDDING_NORM   -  B
      encoder.layer.5.attention.self.query.weight                 -           enc   5  ATTN_Q           -  W
      encoder.layer.5.intermediate.dense.bias                     -           enc   5  MLP_UP           -  B
      encoder.layer.0.attention.self.query.weight_quantized       -           enc   0  ATTN_Q           -  W
      encoder.layer.0.attention.self.query.weight_scale           -           enc   0  ATTN_Q           -  S
      encoder.layer.0.attention.self.query.weight_zero_point      -           enc   0  ATTN_Q           -  Z
      pooler.dense.bias                                           -           enc   -  POOLER           -  B
      roberta.embeddings.word_embeddings.weight                   roberta     emb   -  EMBEDDING        -  W
      roberta.encoder.layer.11.output.LayerNorm.weight            roberta     enc   11 POST_MLP_NORM    -  W
      lm_head.decoder.weight                                      roberta     head  -  LM_HEAD          -  W
      lm_head.bias                                                roberta     head  -  LM_HEAD          -  B
      lm_head.dense.weight                                        roberta     other:lm_head - OTHER     -  W
      distilbert.embeddings.word_embeddings.weight                distilbert  emb   -  EMBEDDING        -  W
      distilbert.transformer.layer.2.attention.q_lin.weight       distilbert  enc   2  ATTN_Q           -  W
      distilbert.transformer.layer.2.sa_layer_norm.weight         distilbert  enc   2  POST_ATTN_NORM   -  W
      distilbert.transformer.layer.2.ffn.lin1.weight              distilbert  enc   2  MLP_UP           -  W
      distilbert.transformer.layer.2.output_layer_norm.bias       distilbert  enc   2  POST_MLP_NORM    -  B
      # GGUF (llama.cpp)
      token_embd.weight                                           llama       emb   -  EMBEDDING        -  W
      output_norm.weight                                          llama       dec   -  FINAL_NORM       -  W
      output.weight                                               llama       head  -  LM_HEAD          -  W
      rope_freqs.weight                                           llama       dec   -  OTHER            -  BUF
      blk.0.attn_norm.weight                                      llama       dec   0  ATTN_NORM        -  W
      blk.0.attn_q.weight                                         llama       dec   0  ATTN_Q           -  W
      blk.0.attn_k.weight                                         llama       dec   0  ATTN_K           -  W
      blk.0.attn_v.weight                                         llama       dec   0  ATTN_V           -  W
      blk.0.attn_output.weight                                    llama       dec   0  ATTN_O           -  W
      blk.9.ffn_norm.weight                                       llama       dec   9  MLP_NORM         -  W
      blk.9.ffn_gate.weight                                       llama       dec   9  MLP_GATE         -  W
      blk.9.ffn_up.weight                                         llama       dec   9  MLP_UP           -  W
      blk.9.ffn_down.weight                                       llama       dec   9  MLP_DOWN         -  W
      blk.0.attn_q.bias                                           qwen2       dec   0  ATTN_Q           -  B
      blk.0.attn_q_norm.weight                                    qwen3       dec   0  ATTN_Q_NORM      -  W
      blk.0.attn_k_norm.weight                                    qwen3       dec   0  ATTN_K_NORM      -  W
      blk.0.attn_qkv.weight                                       phi3        dec   0  ATTN_QKV         -  W
      blk.0.ffn_up.weight                                         phi3        dec   0  MLP_GATE_UP      -  W
      blk.0.ffn_up.weight                                         chatglm     dec   0  MLP_GATE_UP      -  W
      blk.1.post_attention_norm.weight                            gemma2      dec   1  POST_ATTN_NORM   -  W
      blk.1.post_ffw_norm.weight                                  gemma3      dec   1  POST_MLP_NORM    -  W
      blk.3.ffn_gate_inp.weight                                   qwen3moe    exp   3  ROUTER           -  W
      blk.3.exp_probs_b.bias                                      deepseek2   exp   3  ROUTER_BIAS      -  B
      blk.3.ffn_gate_exps.weight                                  qwen3moe    exp   3  MLP_GATE         -  W
      blk.3.ffn_up_exps.weight                                    qwen3moe    exp   3  MLP_UP           -  W
      blk.3.ffn_down_exps.weight                                  qwen3moe    exp   3  MLP_DOWN         -  W
      blk.3.ffn_gate_shexp.weight                                 deepseek2   exp   3  MLP_GATE         S  W
      blk.3.ffn_up_shexp.weight                                   deepseek2   exp   3  MLP_UP           S  W
      blk.3.ffn_down_shexp.weight                                 deepseek2   exp   3  MLP_DOWN         S  W
      blk.3.ffn_gate_inp_shexp.weight                             qwen2moe    exp   3  ROUTER           S  W
      blk.0.attn_q_a.weight                                       deepseek2   dec   0  ATTN_Q_A         -  W
      blk.0.attn_q_a_norm.weight                                  deepseek2   dec   0  ATTN_Q_A_NORM    -  W
      blk.0.attn_q_b.weight                                       deepseek2   dec   0  ATTN_Q_B         -  W
      blk.0.attn_kv_a_mqa.weight                                  deepseek2   dec   0  ATTN_KV_A        -  W
      blk.0.attn_kv_a_norm.weight                                 deepseek2   dec   0  ATTN_KV_A_NORM   -  W
      blk.0.attn_kv_b.weight                                      deepseek2   dec   0  ATTN_KV_B        -  W
      blk.0.attn_k_b.weight                                       deepseek2   dec   0  ATTN_K           -  W
      blk.0.attn_v_b.weight                                       deepseek2   dec   0  ATTN_V           -  W
      token_embd.weight                                           bert        emb   -  EMBEDDING        -  W
      token_embd_norm.weight                                      bert        enc   -  EMBEDDING_NORM   -  W
      position_embd.weight                                        bert        enc   -  POSITION_EMBEDDING - W
      token_types.weight                                          bert        enc   -  TOKEN_TYPE_EMBEDDING - W
      blk.0.attn_q.weight                                         bert        enc   0  ATTN_Q           -  W
      blk.0.attn_output_norm.weight                               bert        enc   0  POST_ATTN_NORM   -  W
      blk.0.layer_output_norm.bias                                bert        enc   0  POST_MLP_NORM    -  B
      blk.0.ffn_up.weight                                         bert        enc   0  MLP_UP           -  W
      blk.0.attn_qkv.weight                                       nomic-bert  enc   0  ATTN_QKV         -  W
      # Vision towers: LLaVA / SigLIP / CLIP / Gemma 3
      vision_tower.vision_model.encoder.layers.3.self_attn.q_proj.weight llava vis 3  ATTN_Q           -  W
      vision_tower.vision_model.encoder.layers.3.self_attn.k_proj.bias   llava vis 3  ATTN_K           -  B
      vision_tower.vision_model.encoder.layers.3.self_attn.v_proj.weight llava vis 3  ATTN_V           -  W
      vision_tower.vision_model.encoder.layers.3.self_attn.out_proj.weight llava vis 3 ATTN_O          -  W
      vision_tower.vision_model.embeddings.patch_embedding.weight  llava      vis   -  PATCH_EMBEDDING  -  W
      vision_tower.vision_model.embeddings.position_embedding.weight llava    vis   -  POSITION_EMBEDDING - W
      vision_tower.vision_model.post_layernorm.weight             gemma3      vis   -  FINAL_NORM       -  W
      model.vision_tower.vision_model.encoder.layers.26.mlp.fc2.bias gemma3   vis   26 MLP_DOWN         -  B
      vision_model.encoder.layers.0.layer_norm1.weight            clip        vis   0  ATTN_NORM        -  W
      vision_model.encoder.layers.0.layer_norm2.bias              clip        vis   0  MLP_NORM         -  B
      vision_model.encoder.layers.0.mlp.fc1.weight                clip        vis   0  MLP_UP           -  W
      vision_model.encoder.layers.0.mlp.fc2.weight                clip        vis   0  MLP_DOWN         -  W
      vision_model.embeddings.class_embedding                     clip        vis   -  CLASS_EMBEDDING  -  W
      vision_model.pre_layrnorm.weight                            clip        vis   -  EMBEDDING_NORM   -  W
      vision_model.embeddings.position_ids                        clip        vis   -  OTHER            -  BUF
      vision_model.head.probe                                     siglip      vis   -  OTHER            -  W
      vision_model.encoder.layers.0.attn.qkv.weight               internvl_chat vis 0 ATTN_QKV         -  W
      text_model.encoder.layers.0.self_attn.q_proj.weight         clip        enc   0  ATTN_Q           -  W
      text_model.embeddings.token_embedding.weight                clip        emb   -  EMBEDDING        -  W
      text_model.final_layer_norm.weight                          clip        enc   -  FINAL_NORM       -  W
      visual_projection.weight                                    clip        proj  -  PROJECTOR        -  W
      logit_scale                                                 clip        other:logit_scale - OTHER -  W
      # Qwen2-VL / Qwen2.5-VL
      visual.patch_embed.proj.weight                              qwen2_vl    vis   -  PATCH_EMBEDDING  -  W
      visual.blocks.0.norm1.weight                                qwen2_vl    vis   0  ATTN_NORM        -  W
      visual.blocks.0.norm2.weight                                qwen2_vl    vis   0  MLP_NORM         -  W
      visual.blocks.0.attn.qkv.weight                             qwen2_vl    vis   0  ATTN_QKV         -  W
      visual.blocks.0.attn.qkv.bias                               qwen2_vl    vis   0  ATTN_QKV         -  B
      visual.blocks.0.attn.proj.weight                            qwen2_vl    vis   0  ATTN_O           -  W
      visual.blocks.31.mlp.fc1.weight                             qwen2_vl    vis   31 MLP_UP           -  W
      visual.blocks.31.mlp.fc2.weight                             qwen2_vl    vis   31 MLP_DOWN         -  W
      visual.blocks.31.mlp.gate_proj.weight                       qwen2_5_vl  vis   31 MLP_GATE         -  W
      visual.blocks.31.mlp.up_proj.weight                         qwen2_5_vl  vis   31 MLP_UP           -  W
      visual.blocks.31.mlp.down_proj.bias                         qwen2_5_vl  vis   31 MLP_DOWN         -  B
      model.visual.blocks.0.attn.qkv.weight                       qwen2_5_vl  vis   0  ATTN_QKV         -  W
      visual.merger.ln_q.weight                                   qwen2_vl    proj  -  EMBEDDING_NORM   -  W
      visual.merger.mlp.0.weight                                  qwen2_vl    proj  0  PROJECTOR        -  W
      visual.merger.mlp.2.bias                                    qwen2_vl    proj  2  PROJECTOR        -  B
      # Pixtral / Mistral 3
      vision_tower.transformer.layers.0.attention.q_proj.weight   mistral3    vis   0  ATTN_Q           -  W
      vision_tower.transformer.layers.0.attention_norm.weight     mistral3    vis   0  ATTN_NORM        -  W
      vision_tower.transformer.layers.0.feed_forward.gate_proj.weight mistral3 vis  0  MLP_GATE         -  W
      vision_tower.patch_conv.weight                              mistral3    vis   -  PATCH_EMBEDDING  -  W
      vision_tower.ln_pre.weight                                  mistral3    vis   -  EMBEDDING_NORM   -  W
      # Projectors
      multi_modal_projector.linear_1.weight                       llava       proj  1  PROJECTOR        -  W
      multi_modal_projector.linear_2.bias                         llava       proj  2  PROJECTOR        -  B
      model.multi_modal_projector.linear_1.weight                 llava       proj  1  PROJECTOR        -  W
      model.mm_projector.0.weight                                 llava       proj  0  PROJECTOR        -  W
      model.mm_projector.2.weight                                 llava       proj  2  PROJECTOR        -  W
      mm_projector.0.bias                                         llava       proj  0  PROJECTOR        -  B
      multi_modal_projector.mm_input_projection_weight            gemma3      proj  -  PROJECTOR        -  W
      multi_modal_projector.mm_soft_emb_norm.weight               gemma3      proj  -  EMBEDDING_NORM   -  W
      # GGUF mmproj
      v.blk.0.attn_q.weight                                       clip        vis   0  ATTN_Q           -  W
      v.blk.0.attn_out.weight                                     clip        vis   0  ATTN_O           -  W
      v.blk.0.ln1.weight                                          clip        vis   0  ATTN_NORM        -  W
      v.blk.0.ffn_down.bias                                       clip        vis   0  MLP_DOWN         -  B
      v.patch_embd.weight                                         clip        vis   -  PATCH_EMBEDDING  -  W
      v.patch_embd.weight.1                                       clip        vis   -  PATCH_EMBEDDING  -  W
      v.position_embd.weight                                      clip        vis   -  POSITION_EMBEDDING - W
      v.class_embd                                                clip        vis   -  CLASS_EMBEDDING  -  W
      v.pre_ln.weight                                             clip        vis   -  EMBEDDING_NORM   -  W
      v.post_ln.weight                                            clip        vis   -  FINAL_NORM       -  W
      mm.0.weight                                                 clip        proj  0  PROJECTOR        -  W
      mm.2.bias                                                   clip        proj  2  PROJECTOR        -  B
      mm.input_projection.weight                                  clip        proj  -  PROJECTOR        -  W
      mm.soft_emb_norm.weight                                     clip        proj  -  EMBEDDING_NORM   -  W
      a.blk.0.attn_q.weight                                       clip        aud   0  ATTN_Q           -  W
      a.conv1d.0.weight                                           clip        aud   -  CONV             -  W
      # Audio towers and Whisper
      audio_tower.layers.0.self_attn.q_proj.weight                qwen2_audio aud   0  ATTN_Q           -  W
      audio_tower.layers.0.self_attn_layer_norm.weight            qwen2_audio aud   0  ATTN_NORM        -  W
      audio_tower.layers.0.fc1.weight                             qwen2_audio aud   0  MLP_UP           -  W
      audio_tower.layers.0.fc2.bias                               qwen2_audio aud   0  MLP_DOWN         -  B
      audio_tower.layers.0.final_layer_norm.weight                qwen2_audio aud   0  MLP_NORM         -  W
      audio_tower.conv1.weight                                    qwen2_audio aud   -  CONV             -  W
      audio_tower.conv2.bias                                      qwen2_audio aud   -  CONV             -  B
      audio_tower.layer_norm.weight                               qwen2_audio aud   -  FINAL_NORM       -  W
      audio_tower.embed_positions.weight                          qwen2_audio aud   -  POSITION_EMBEDDING - W
      thinker.audio_tower.layers.3.self_attn.out_proj.weight      qwen2_5_omni aud  3  ATTN_O           -  W
      audio_encoder.layers.1.fc1.weight                           -           aud   1  MLP_UP           -  W
      model.encoder.conv1.weight                                  whisper     aud   -  CONV             -  W
      model.encoder.layers.5.self_attn.k_proj.weight              whisper     aud   5  ATTN_K           -  W
      model.encoder.embed_positions.weight                        whisper     aud   -  POSITION_EMBEDDING - W
      model.encoder.layer_norm.weight                             whisper     aud   -  FINAL_NORM       -  W
      model.decoder.embed_tokens.weight                           whisper     emb   -  EMBEDDING        -  W
      model.decoder.layers.0.self_attn.q_proj.weight              whisper     dec   0  ATTN_Q           -  W
      model.decoder.layers.0.encoder_attn.q_proj.weight           whisper     dec   0  OTHER            -  W
      model.decoder.layers.0.fc1.weight                           whisper     dec   0  MLP_UP           -  W
      model.decoder.layer_norm.weight                             whisper     dec   -  FINAL_NORM       -  W
      proj_out.weight                                             whisper     head  -  LM_HEAD          -  W
      # Meta / Mistral consolidated checkpoints
      tok_embeddings.weight                                       llama       emb   -  EMBEDDING        -  W
      layers.0.attention.wq.weight                                llama       dec   0  ATTN_Q           -  W
      layers.0.attention.wo.weight                                llama       dec   0  ATTN_O           -  W
      layers.0.attention_norm.weight                              llama       dec   0  ATTN_NORM        -  W
      layers.0.ffn_norm.weight                                    llama       dec   0  MLP_NORM         -  W
      layers.0.feed_forward.w1.weight                             llama       dec   0  MLP_GATE         -  W
      layers.0.feed_forward.w3.weight                             llama       dec   0  MLP_UP           -  W
      layers.0.feed_forward.w2.weight                             llama       dec   0  MLP_DOWN         -  W
      layers.1.feed_forward.experts.7.w2.weight                   mixtral     exp   1  MLP_DOWN         7  W
      norm.weight                                                 llama       dec   -  FINAL_NORM       -  W
      # Quantised checkpoints (GPTQ/AWQ, bitsandbytes, compressed-tensors)
      model.layers.0.self_attn.q_proj.qweight                     llama       dec   0  ATTN_Q           -  W
      model.layers.0.self_attn.q_proj.qzeros                      llama       dec   0  ATTN_Q           -  Z
      model.layers.0.self_attn.q_proj.scales                      llama       dec   0  ATTN_Q           -  S
      model.layers.0.self_attn.q_proj.g_idx                       llama       dec   0  ATTN_Q           -  BUF
      model.layers.0.mlp.down_proj.weight.absmax                  llama       dec   0  MLP_DOWN         -  S
      model.layers.0.mlp.down_proj.weight.quant_state.bitsandbytes__nf4 llama dec   0  MLP_DOWN         -  S
      model.layers.0.mlp.down_proj.weight_scale                   llama       dec   0  MLP_DOWN         -  S
      model.layers.0.mlp.down_proj.input_scale                    llama       dec   0  MLP_DOWN         -  S
      model.layers.0.mlp.down_proj.weight_packed                  llama       dec   0  MLP_DOWN         -  W
      model.layers.0.mlp.down_proj.weight_zero_point              llama       dec   0  MLP_DOWN         -  Z
      # Stacked experts (gpt-oss, Llama 4, transformers v5)
      model.layers.0.mlp.router.weight                            gpt_oss     exp   0  ROUTER           -  W
      model.layers.0.mlp.router.bias                              gpt_oss     exp   0  ROUTER           -  B
      model.layers.0.mlp.experts.gate_up_proj                     gpt_oss     exp   0  MLP_GATE_UP      -  W
      model.layers.0.mlp.experts.gate_up_proj_bias                gpt_oss     exp   0  MLP_GATE_UP      -  B
      model.layers.0.mlp.experts.down_proj                        gpt_oss     exp   0  MLP_DOWN         -  W
      language_model.model.layers.1.feed_forward.router.weight    llama4      exp   1  ROUTER           -  W
      language_model.model.layers.1.feed_forward.shared_expert.down_proj.weight llama4 exp 1 MLP_DOWN  S  W
      language_model.model.layers.1.feed_forward.experts.gate_up_proj llama4  exp   1  MLP_GATE_UP      -  W
      # More nesting and companions
      model.vision_tower.vision_tower.vision_model.encoder.layers.23.self_attn.q_proj.weight llava vis 23 ATTN_Q - W
      model.visual.merger.mlp.0.weight                            qwen2_5_vl  proj  0  PROJECTOR        -  W
      model.layers.0.self_attn.k_scale                            llama       dec   0  OTHER            -  S
      language_model.model.layers.0.mlp.experts.3.gate_proj.weight mixtral    exp   0  MLP_GATE         3  W
      base_model.model.model.layers.2.self_attn.v_proj.weight     llama       dec   2  ATTN_V           -  W
      _orig_mod.model.layers.2.mlp.up_proj.weight                 llama       dec   2  MLP_UP           -  W
      # Unknown names: grouped by prefix and first integer
      classifier.weight                                           bert        other:classifier - OTHER  -  W
      score.weight                                                llama       other:score - OTHER       -  W
      model.layers.4.foo.bar.weight                               llama       other:model.layers 4 OTHER -  W
      some.random.12.thing.bias                                   -           other:some.random 12 OTHER -  B
      weird                                                       -           other:weird - OTHER       -  W
      """;

    record Row(String name, String arch, TensorAddress expected) {
        @Override
        public String toString() {
            return name + (arch == null ? "" : " [" + arch + "]");
        }
    }

    static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (String line : TABLE.split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] c = l.split("\\s+");
            if (c.length != 7) {
                throw new IllegalArgumentException("bad row: " + l);
            }
            rows.add(new Row(
                    c[0],
                    c[1].equals("-") ? null : c[1],
                    new TensorAddress(component(c[2]), intOrNull(c[3]), Role.valueOf(c[4]), expert(c[5]), part(c[6]))));
        }
        return rows;
    }

    static Stream<Arguments> table() {
        return rows().stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void classifiesRealName(Row row) {
        ArchitectureHints hints = new ArchitectureHints(row.arch(), null, null, null, null, null, null, null);
        assertThat(TensorNaming.classify(row.name(), hints)).as(row.name()).isEqualTo(row.expected());
    }

    @Test
    void tableCoversEnoughNamesAndFamilies() {
        List<Row> rows = rows();
        assertThat(rows).hasSizeGreaterThanOrEqualTo(150);
        Set<String> kinds = new HashSet<>();
        for (Row r : rows) {
            kinds.add(r.expected().component().kind().name());
        }
        assertThat(kinds)
                .contains(
                        "TEXT_DECODER",
                        "TEXT_ENCODER",
                        "VISION_ENCODER",
                        "AUDIO_ENCODER",
                        "PROJECTOR",
                        "EMBEDDINGS",
                        "LM_HEAD",
                        "EXPERTS",
                        "OTHER");
        System.out.println("TensorNaming table: " + rows.size() + " real names");
    }

    @Test
    void classifyAllDecidesSandwichNormsFromTheOtherNames() {
        List<String> gemma2 = List.of(
                "model.layers.0.input_layernorm.weight",
                "model.layers.0.post_attention_layernorm.weight",
                "model.layers.0.pre_feedforward_layernorm.weight",
                "model.layers.0.post_feedforward_layernorm.weight");
        assertThat(TensorNaming.classifyAll(gemma2, null))
                .extracting(TensorAddress::role)
                .containsExactly(Role.ATTN_NORM, Role.POST_ATTN_NORM, Role.MLP_NORM, Role.POST_MLP_NORM);
        assertThat(TensorNaming.classifyAll(gemma2.subList(0, 2), null))
                .extracting(TensorAddress::role)
                .containsExactly(Role.ATTN_NORM, Role.MLP_NORM);
        for (Row r : rows()) {
            ArchitectureHints h = new ArchitectureHints(r.arch(), null, null, null, null, null, null, null);
            assertThat(TensorNaming.classifyAll(List.of(r.name()), h)).containsExactly(r.expected());
        }
    }

    @Test
    void nullHintsAreNone() {
        assertThat(TensorNaming.classify("model.layers.2.self_attn.q_proj.weight", null))
                .isEqualTo(TensorAddress.of(Component.TEXT_DECODER, 2, Role.ATTN_Q, Part.WEIGHT));
    }

    @Test
    void unknownNamesAreGroupedByPrefixAndLayer() {
        ArchitectureHints none = ArchitectureHints.NONE;
        List<String> names = List.of(
                "model.layers.0.laurel.linear_left.weight",
                "model.layers.0.altup.correction_coefs.weight",
                "model.layers.1.laurel.linear_left.weight",
                "model.layers.7.per_layer_input_gate.weight",
                "talker.model.layers.3.self_attn.q_proj.weight",
                "talker.model.layers.4.mlp.up_proj.weight",
                "token2wav.code2wav_dit_model.blocks.2.attn.to_q.weight");
        List<TensorAddress> got =
                names.stream().map(n -> TensorNaming.classify(n, none)).toList();
        assertThat(got.get(0).component()).isEqualTo(Component.other("model.layers"));
        assertThat(got.get(0)).isEqualTo(got.get(1));
        assertThat(got.get(2).layer()).isEqualTo(1);
        assertThat(got.get(3).layer()).isEqualTo(7);
        assertThat(got.subList(0, 4)).allSatisfy(a -> {
            assertThat(a.component()).isEqualTo(Component.other("model.layers"));
            assertThat(a.role()).isEqualTo(Role.OTHER);
        });
        assertThat(got.get(4))
                .isEqualTo(TensorAddress.of(Component.other("talker.model.layers"), 3, Role.OTHER, Part.WEIGHT));
        assertThat(got.get(5).component()).isEqualTo(got.get(4).component());
        assertThat(got.get(5).layer()).isEqualTo(4);
        assertThat(got.get(6))
                .isEqualTo(TensorAddress.of(
                        Component.other("token2wav.code2wav_dit_model.blocks"), 2, Role.OTHER, Part.WEIGHT));
    }

    @Test
    void neverThrowsOnOddNames() {
        List<String> odd = List.of(
                "",
                ".",
                "..",
                "weight",
                "bias",
                "0",
                "0.weight",
                "blk",
                "blk.x.attn_q.weight",
                "blk.99999999999.attn_q.weight",
                "model.layers.-1.self_attn.q_proj.weight",
                "v.",
                "mm",
                "a.b",
                "layers.0",
                "h.0",
                "encoder.layer.0",
                "visual.merger",
                "vision_tower",
                "_scale",
                "x._zero_point",
                "quant_state",
                "onnx::MatMul_824_quantized",
                "/encoder/layer.0/attention/self/query/MatMul");
        for (String n : odd) {
            for (String arch : new String[] {null, "whisper", "bert", "gemma2", "gpt_neox", "phi3"}) {
                TensorAddress a =
                        TensorNaming.classify(n, new ArchitectureHints(arch, null, null, null, null, null, null, null));
                assertThat(a).as(n).isNotNull();
            }
        }
        assertThat(TensorNaming.classify("blk.99999999999.attn_q.weight", null)
                        .component()
                        .kind())
                .isEqualTo(dev.pedigree.model.ComponentKind.OTHER);
    }

    private static Component component(String s) {
        return switch (s) {
            case "dec" -> Component.TEXT_DECODER;
            case "enc" -> Component.TEXT_ENCODER;
            case "emb" -> Component.EMBEDDINGS;
            case "head" -> Component.LM_HEAD;
            case "vis" -> Component.VISION;
            case "aud" -> Component.AUDIO;
            case "proj" -> Component.PROJECTOR;
            case "exp" -> Component.EXPERTS;
            default -> {
                if (!s.startsWith("other")) {
                    throw new IllegalArgumentException(s);
                }
                yield Component.other(s.equals("other") ? "" : s.substring("other:".length()));
            }
        };
    }

    private static Integer intOrNull(String s) {
        return s.equals("-") ? null : Integer.valueOf(s);
    }

    private static Integer expert(String s) {
        return switch (s) {
            case "-" -> null;
            case "S" -> TensorAddress.SHARED_EXPERT;
            default -> Integer.valueOf(s);
        };
    }

    private static Part part(String s) {
        return switch (s) {
            case "W" -> Part.WEIGHT;
            case "B" -> Part.BIAS;
            case "S" -> Part.QUANT_SCALE;
            case "Z" -> Part.QUANT_ZERO_POINT;
            case "BUF" -> Part.BUFFER;
            default -> throw new IllegalArgumentException(s);
        };
    }
}
