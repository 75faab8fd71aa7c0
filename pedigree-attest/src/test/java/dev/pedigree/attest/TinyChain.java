package dev.pedigree.attest;

import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.TinyTrainer;
import dev.pedigree.format.safetensors.SafetensorsWriter;
import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.DType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Tiny language models trained here from random initialisation with {@link TinyTrainer} (a
 * one-block MLP LM: embedding 64×32, MLP 64, head 64×32, SGD with momentum on a Markov token
 * stream), saved as safetensors checkpoints. Shipped in this module's test-jar for the CLI tests of
 * the attest commands.
 */
public final class TinyChain {
    public static final TinyTrainer.Config CONFIG = TinyTrainer.Config.DEFAULT;

    private TinyChain() {}

    /** A fresh initialisation (zero training steps). */
    public static SimModel init(long initSeed, long dataSeed) {
        return TinyTrainer.train("init-" + initSeed, CONFIG.withSteps(0), initSeed, dataSeed)
                .model();
    }

    /** Continues training {@code m} for {@code steps} steps. */
    public static SimModel train(SimModel m, long dataSeed, int steps) {
        return TinyTrainer.fineTune(m, CONFIG, dataSeed, steps).model();
    }

    /** Trains from {@code initSeed} and returns the checkpoints at steps 0, every, 2·every, ... */
    public static List<SimModel> run(long initSeed, long dataSeed, int every, int saves) {
        List<SimModel> out = new ArrayList<>();
        SimModel m = init(initSeed, dataSeed);
        out.add(m);
        for (int i = 1; i <= saves; i++) {
            m = train(m, dataSeed + i, every);
            out.add(m);
        }
        return out;
    }

    /** Writes a safetensors checkpoint. */
    public static Path save(SimModel m, Path file) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter();
        for (ArrayTensor t : m.tensors()) {
            w.add("model." + t.name().replace("lm_head.weight", "LMHEAD"), DType.F32, t.shape(), t.readAll());
        }
        SafetensorsWriter fixed = new SafetensorsWriter();
        for (SafetensorsWriter.Entry e : w.entries()) {
            String n = e.name().equals("model.LMHEAD") ? "lm_head.weight" : e.name();
            fixed.add(n, e.dtype(), e.shape(), e.data());
        }
        fixed.write(file);
        return file;
    }
}
