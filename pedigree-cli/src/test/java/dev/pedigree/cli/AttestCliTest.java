package dev.pedigree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.attest.Dsse;
import dev.pedigree.attest.InTotoStatement;
import dev.pedigree.attest.Ledger;
import dev.pedigree.attest.TinyChain;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.testkit.RealModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attest commands end to end through {@link Main#run} (the attestation issue's acceptance points): a tiny LM trained here from random
 * initialisation with checkpoints recorded at several steps verifies; swapping step 0 for a
 * pretrained model (the real all-MiniLM-L6-v2, and a "pretrained-like" tiny model), swapping a
 * middle checkpoint for an independently trained one, or editing the ledger fails and names the
 * check; statements verify with the right key only.
 */
class AttestCliTest {
    @TempDir
    static Path shared;

    static List<SimModel> honest;
    static Path keys;

    @TempDir
    Path dir;

    @BeforeAll
    static void train() throws Exception {
        honest = TinyChain.run(1, 7, 100, 3);
        keys = shared.resolve("signer");
        assertThat(cli("keygen", "--out", keys.toString()).code).isZero();
    }

    record Run(int code, String out, String err) {}

    static Run cli(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        String[] all = new String[args.length + 1];
        all[0] = "attest";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = Main.run(all, new PrintWriter(o, true), new PrintWriter(e, true));
        System.out.println("$ attest " + String.join(" ", args) + "\n" + o + e + "[exit " + code + "]");
        return new Run(code, o.toString(), e.toString());
    }

    private List<Path> save(List<SimModel> models) throws Exception {
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            out.add(TinyChain.save(models.get(i), dir.resolve(String.format("step-%06d.safetensors", i * 100))));
        }
        return out;
    }

    private Path record(List<Path> checkpoints) {
        Path ledger = dir.resolve("train.ledger");
        List<String> args = new ArrayList<>(List.of("record", "--ledger", ledger.toString(), "--seed", "11"));
        // Given out of order on purpose: record sorts by the step in the name.
        List<Path> shuffled = new ArrayList<>(checkpoints);
        java.util.Collections.reverse(shuffled);
        shuffled.forEach(p -> args.add(p.toString()));
        assertThat(cli(args.toArray(String[]::new)).code).isZero();
        return ledger;
    }

    @Test
    void honestChainPassesAndSignsAndTheSignatureVerifiesOnlyWithTheRightKey() throws Exception {
        List<Path> ckpts = save(honest);
        Path ledger = record(ckpts);
        // A release fine-tuned a little further from the last checkpoint.
        Path release = TinyChain.save(TinyChain.train(honest.getLast(), 99, 50), dir.resolve("release.safetensors"));
        Path json = dir.resolve("report.json");
        Path stmt = dir.resolve("statement.dsse.json");
        Run signed = cli(
                "verify",
                ledger.toString(),
                "--release",
                release.toString(),
                "--json",
                json.toString(),
                "--statement",
                stmt.toString(),
                "--key",
                keys + ".key");
        assertThat(signed.code).isZero();
        assertThat(signed.out)
                .contains(
                        "PASS  chain",
                        "PASS  initialisation",
                        "PASS  continuity",
                        "PASS  release",
                        "verdict: PASS",
                        "signed statement written");
        String report = Files.readString(json);
        assertThat(report)
                .contains("\"verdict\" : \"PASS\"", "\"failed_check\" : null", "\"mp_edge\"", "\"continuation\"");

        // The envelope: DSSE with an in-toto statement about the release.
        Dsse.Envelope env = Dsse.parse(Files.readAllBytes(stmt));
        assertThat(env.payloadType()).isEqualTo(Dsse.IN_TOTO);
        String payload = new String(env.payload(), StandardCharsets.UTF_8);
        assertThat(payload)
                .contains(
                        InTotoStatement.TYPE,
                        InTotoStatement.PREDICATE_TYPE,
                        "release.safetensors",
                        "\"verdict\" : \"PASS\"");

        Run ok = cli(
                "verify",
                ledger.toString(),
                "--release",
                release.toString(),
                "--statement",
                stmt.toString(),
                "--key",
                keys + ".pub");
        assertThat(ok.code).isZero();
        assertThat(ok.out).contains("PASS  signature");

        Path other = dir.resolve("other");
        assertThat(cli("keygen", "--out", other.toString()).code).isZero();
        Run wrongKey = cli(
                "verify",
                ledger.toString(),
                "--release",
                release.toString(),
                "--statement",
                stmt.toString(),
                "--key",
                other + ".pub");
        assertThat(wrongKey.code).isEqualTo(ExitCode.VERIFICATION_FAILED.code());
        assertThat(wrongKey.out).contains("FAIL  signature", "no signature verifies", "verdict: FAIL (signature)");

        // Tamper with the payload (a different subject digest), keep the signature.
        String tampered = payload.replace(
                payload.substring(
                        payload.indexOf("\"pedigree-model-hash-v1\" : \"") + 28,
                        payload.indexOf("\"pedigree-model-hash-v1\" : \"") + 29),
                "f"
                                .equals(payload.substring(
                                        payload.indexOf("\"pedigree-model-hash-v1\" : \"") + 28,
                                        payload.indexOf("\"pedigree-model-hash-v1\" : \"") + 29))
                        ? "e"
                        : "f");
        Dsse.Envelope bad =
                new Dsse.Envelope(env.payloadType(), tampered.getBytes(StandardCharsets.UTF_8), env.signatures());
        Path badFile = dir.resolve("tampered.dsse.json");
        Files.writeString(badFile, bad.toJson());
        Run modified = cli(
                "verify",
                ledger.toString(),
                "--release",
                release.toString(),
                "--statement",
                badFile.toString(),
                "--key",
                keys + ".pub");
        assertThat(modified.code).isEqualTo(ExitCode.VERIFICATION_FAILED.code());
        assertThat(modified.out).contains("FAIL  signature");

        // A statement about another subject (no release: the subject is the last checkpoint) does not verify even
        // though the signature does.
        Run otherSubject = cli("verify", ledger.toString(), "--statement", stmt.toString(), "--key", keys + ".pub");
        assertThat(otherSubject.code).isEqualTo(ExitCode.VERIFICATION_FAILED.code());
        assertThat(otherSubject.out).contains("signature verifies but no subject");
    }

    @Test
    void realPretrainedModelAsStepZeroFails() throws Exception {
        Path minilm = RealModels.onnx(RealModels.ALL_MINILM_L6_V2);
        Path step0 = dir.resolve("step-000000.onnx");
        Files.copy(minilm, step0);
        List<Path> ckpts = new ArrayList<>(save(honest));
        Files.delete(ckpts.getFirst());
        ckpts.set(0, step0);
        Path ledger = record(ckpts);
        Path json = dir.resolve("report.json");
        Run r = cli("verify", ledger.toString(), "--json", json.toString());
        assertThat(r.code).isEqualTo(ExitCode.VERIFICATION_FAILED.code());
        assertThat(r.out).contains("FAIL  initialisation", "verdict: FAIL (initialisation)");
        // MiniLM's LayerNorm gains are learned, its weights heavy-tailed: the evidence is in the report.
        assertThat(Files.readString(json)).contains("learned norm gains", "heavy-tailed");
        // And the tiny model at step 100 is no continuation of MiniLM.
        assertThat(r.out).contains("FAIL  continuity", "checkpoint 1 (step 100)");
    }

    @Test
    void pretrainedLikeStepZeroFailsOnlyTheInitialisationCheck() throws Exception {
        // "Pretrained-like": the tiny model trained for 3000 steps on other data, then "trained" on as if from scratch.
        SimModel pre = TinyChain.train(TinyChain.init(99, 3), 3, 3000);
        List<SimModel> chain = new ArrayList<>(List.of(pre));
        for (int i = 1; i <= 2; i++) {
            chain.add(TinyChain.train(chain.getLast(), 7 + i, 100));
        }
        Path ledger = record(save(chain));
        Run r = cli("verify", ledger.toString());
        assertThat(r.code).isEqualTo(ExitCode.VERIFICATION_FAILED.code());
        assertThat(r.out)
                .contains("PASS  chain", "FAIL  initialisation", "PASS  continuity", "verdict: FAIL (initialisation)");
    }

    @Test
    void middleCheckpointSwappedForAnIndependentModelFails() throws Exception {
        List<SimModel> chain = new ArrayList<>(honest);
        // Same data, same architecture, different initialisation seed: the realistic impostor.
        chain.set(2, TinyChain.train(TinyChain.init(12345, 7), 7, 200));
        Path ledger = record(save(chain));
        Run r = cli("verify", ledger.toString());
        assertThat(r.code).isEqualTo(ExitCode.VERIFICATION_FAILED.code());
        assertThat(r.out)
                .contains(
                        "PASS  chain",
                        "PASS  initialisation",
                        "FAIL  continuity",
                        "checkpoint 2 (step 200) is not a continuation of checkpoint 1 (step 100)",
                        "verdict: FAIL (continuity)");
    }

    @Test
    void editedLedgerFailsTheChainCheck() throws Exception {
        Path ledger = record(save(honest));
        List<String> lines = Files.readAllLines(ledger);
        // 1. Change one field: the step of entry 2.
        Files.write(
                ledger,
                List.of(
                        lines.get(0),
                        lines.get(1),
                        lines.get(2).replace("\"step\":200", "\"step\":250"),
                        lines.get(3)));
        Run r = cli("verify", ledger.toString());
        assertThat(r.code).isEqualTo(ExitCode.VERIFICATION_FAILED.code());
        assertThat(r.out).contains("FAIL  chain", "entry 2 (step 250)", "entry_hash", "verdict: FAIL (chain)");

        // 2. Change one byte of a model hash.
        String l1 = lines.get(1);
        int at = l1.indexOf("\"model_hash\":\"") + 14;
        char c = l1.charAt(at);
        Files.write(
                ledger,
                List.of(
                        lines.get(0),
                        l1.substring(0, at) + (c == '0' ? '1' : '0') + l1.substring(at + 1),
                        lines.get(2),
                        lines.get(3)));
        r = cli("verify", ledger.toString());
        assertThat(r.code).isEqualTo(ExitCode.VERIFICATION_FAILED.code());
        assertThat(r.out).contains("FAIL  chain", "entry 1 (step 100)", "entry_hash");

        // 3. Delete an entry: the next prev_hash no longer matches.
        Files.write(ledger, List.of(lines.get(0), lines.get(2), lines.get(3)));
        r = cli("verify", ledger.toString());
        assertThat(r.code).isEqualTo(ExitCode.VERIFICATION_FAILED.code());
        assertThat(r.out).contains("FAIL  chain", "prev_hash");

        // The untouched ledger verifies again.
        Files.write(ledger, lines);
        assertThat(cli("verify", ledger.toString()).code).isZero();

        // 4. A sidecar edited after the fact.
        Path sidecar = Ledger.sidecarDirectory(ledger).resolve("000001-step-100.pdfp");
        byte[] b = Files.readAllBytes(sidecar);
        b[b.length - 3] ^= 0x10;
        Files.write(sidecar, b);
        r = cli("verify", ledger.toString());
        assertThat(r.code).isEqualTo(ExitCode.VERIFICATION_FAILED.code());
        assertThat(r.out).contains("FAIL  chain", "fingerprint_sha256");
    }

    @Test
    void stepZeroIdenticalToARegistryModelFails() throws Exception {
        List<Path> ckpts = save(honest);
        Path ledger = record(ckpts);
        Path registry = Files.createDirectories(dir.resolve("registry"));
        Files.copy(ckpts.getFirst(), registry.resolve("published-init.safetensors"));
        Run r = cli("verify", ledger.toString(), "--registry", registry.toString());
        assertThat(r.code).isEqualTo(ExitCode.VERIFICATION_FAILED.code());
        assertThat(r.out).contains("FAIL  initialisation", "identical to this registry model");
    }

    /** --registry takes identify's registry database: step 0 is identified against it as identify would. */
    @Test
    void registryDatabaseOfIdentifyIsJudgedLikeIdentify() throws Exception {
        List<Path> ckpts = save(honest);
        Path ledger = record(ckpts);
        String clean = dir.resolve("clean.db").toString();
        Path unrelated = TinyChain.save(TinyChain.init(5, 8), dir.resolve("unrelated-init.safetensors"));
        assertThat(Cli.run("registry", "add", unrelated.toString(), "--name", "unrelated", "--registry", clean)
                        .exit())
                .isZero();
        Run pass = cli("verify", ledger.toString(), "--registry", clean);
        assertThat(pass.code).as(pass.out + pass.err).isEqualTo(ExitCode.OK.code());
        assertThat(pass.out).contains("PASS  initialisation");

        String copied = dir.resolve("copied.db").toString();
        assertThat(Cli.run(
                                "registry",
                                "add",
                                ckpts.getFirst().toString(),
                                "--name",
                                "published-init",
                                "--registry",
                                copied)
                        .exit())
                .isZero();
        Run fail = cli("verify", ledger.toString(), "--registry", copied);
        assertThat(fail.code).isEqualTo(ExitCode.VERIFICATION_FAILED.code());
        assertThat(fail.out).contains("FAIL  initialisation", "registry published-init [registry_identical]");

        // A registry that is neither names the reason, not just the path.
        Run missing = cli(
                "verify",
                ledger.toString(),
                "--registry",
                dir.resolve("nope.db").toString());
        assertThat(missing.code).isEqualTo(ExitCode.INPUT_ERROR.code());
        assertThat(missing.err).contains("nope.db: no registry database or directory of reference models");
    }

    @Test
    void inputErrorsExitWithInputError() throws Exception {
        assertThat(cli("verify", dir.resolve("missing.ledger").toString()).code).isEqualTo(ExitCode.INPUT_ERROR.code());
        Path noStep = TinyChain.save(honest.getFirst(), dir.resolve("model.safetensors"));
        Run r = cli("record", "--ledger", dir.resolve("x.ledger").toString(), noStep.toString());
        assertThat(r.code).isEqualTo(ExitCode.INPUT_ERROR.code());
        assertThat(r.err).contains("no step in the name");
        assertThat(cli("record", "--ledger", dir.resolve("x.ledger").toString(), "--step", "0", noStep.toString()).code)
                .isZero();
        // Steps must increase.
        assertThat(cli("record", "--ledger", dir.resolve("x.ledger").toString(), "--step", "0", noStep.toString()).code)
                .isEqualTo(ExitCode.INPUT_ERROR.code());
        Path notKey = Files.writeString(dir.resolve("k.pem"), "hello");
        assertThat(cli(
                                "verify",
                                dir.resolve("x.ledger").toString(),
                                "--statement",
                                dir.resolve("s").toString(),
                                "--key",
                                notKey.toString())
                        .code)
                .isEqualTo(ExitCode.INPUT_ERROR.code());
    }

    @Test
    void unsafePickleIsRefusedAsUnsafeInputByRecordAndVerify() throws Exception {
        // A checkpoint whose pickle calls os.system: record refuses it with UNSAFE_INPUT (it was INPUT_ERROR before the
        // attest commands threw to Main's handler), and so does verify when it is the release.
        Path evil = HostileInputs.torchCallingOsSystem(dir.resolve("step-000300.pt"));
        Run rec = cli("record", "--ledger", dir.resolve("evil.ledger").toString(), evil.toString());
        assertThat(rec.code).as(rec.err).isEqualTo(ExitCode.UNSAFE_INPUT.code());
        assertThat(rec.err).contains("os.system");
        assertThat(rec.err.strip().lines()).hasSize(1);

        Path ledger = record(save(honest));
        Run ver = cli("verify", ledger.toString(), "--release", evil.toString());
        assertThat(ver.code).as(ver.err).isEqualTo(ExitCode.UNSAFE_INPUT.code());
        assertThat(ver.err).contains("os.system");
    }
}
