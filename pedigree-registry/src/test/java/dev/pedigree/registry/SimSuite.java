package dev.pedigree.registry;

import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import dev.pedigree.forensics.simulate.TinyTrainer;
import dev.pedigree.model.Component;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** The simulated families of the acceptance tests: registered bases, their derivatives, independent controls. */
final class SimSuite {
    /** A suspect and the registered base names it truly descends from (empty: an independent control). */
    record Case(String label, SimModel suspect, List<String> ancestors) {}

    final SimModel decoder = SyntheticTransformer.random("sim-decoder", Config.smallDecoder(), 101);
    final SimModel encoder = SyntheticTransformer.random("sim-encoder", Config.smallEncoder(), 202);
    final SimModel vision = new SimModel(
            "sim-vision",
            Config.smallVision().hints(),
            SyntheticTransformer.tower(Config.smallVision(), new SplittableRandom(303)),
            null);
    final SimModel tiny =
            TinyTrainer.train("sim-tiny", TinyTrainer.Config.DEFAULT, 404, 7).model();

    /** The registered bases. */
    List<SimModel> bases() {
        return List.of(decoder, encoder, vision, tiny);
    }

    List<Case> cases() {
        List<Case> out = new ArrayList<>();
        out.add(new Case("decoder+noise0.2", DerivationSimulator.noise(decoder, 0.2, 1), List.of("sim-decoder")));
        out.add(new Case("decoder+int8", DerivationSimulator.int8RoundTrip(decoder), List.of("sim-decoder")));
        out.add(new Case(
                "decoder+permutation", DerivationSimulator.permuteHiddenAndHeads(decoder, 2), List.of("sim-decoder")));
        out.add(new Case(
                "decoder+every-second-layer",
                DerivationSimulator.restack(decoder, Component.TEXT_DECODER, new int[] {0, 2}),
                List.of("sim-decoder")));
        out.add(new Case(
                "decoder+vocab64", DerivationSimulator.extendVocabulary(decoder, 64, 3), List.of("sim-decoder")));
        out.add(new Case("encoder+noise0.1", DerivationSimulator.noise(encoder, 0.1, 4), List.of("sim-encoder")));
        out.add(new Case(
                "encoder+permutation", DerivationSimulator.permuteHiddenAndHeads(encoder, 5), List.of("sim-encoder")));
        SimModel freshDecoder = SyntheticTransformer.random("fresh-decoder", Config.smallDecoder(), 505);
        out.add(new Case(
                "fresh+text-from-decoder",
                DerivationSimulator.transplant(freshDecoder, decoder, Component.TEXT_DECODER),
                List.of("sim-decoder")));
        out.add(new Case(
                "fresh+vision-encoder",
                DerivationSimulator.combine(
                        freshDecoder, vision.tensors().stream().map(t -> t).toList(), "vlm-with-sim-vision"),
                List.of("sim-vision")));
        out.add(new Case(
                "tiny+finetune",
                TinyTrainer.fineTune(tiny, TinyTrainer.Config.DEFAULT, 8, 200).model(),
                List.of("sim-tiny")));
        // Issue 14 §1: labels hide nothing.
        out.add(new Case("decoder+renamed", DerivationSimulator.renameTensors(decoder, 11), List.of("sim-decoder")));
        out.add(new Case(
                "dual-encoder+vision-is-encoder",
                DerivationSimulator.relabelTower(
                        SyntheticTransformer.random("dual", Config.smallEncoder(), 212),
                        encoder,
                        Component.TEXT_ENCODER,
                        Component.VISION),
                List.of("sim-encoder")));
        // Independent controls.
        out.add(new Case(
                "control:fresh-decoder",
                SyntheticTransformer.random("control-decoder", Config.smallDecoder(), 606),
                List.of()));
        out.add(new Case(
                "control:fresh-encoder",
                SyntheticTransformer.random("control-encoder", Config.smallEncoder(), 707),
                List.of()));
        out.add(new Case("control:matched-random", DerivationSimulator.matchedRandom(decoder, 808), List.of()));
        out.add(new Case(
                "control:tiny-other-seed",
                TinyTrainer.train("tiny-other", TinyTrainer.Config.DEFAULT, 909, 7)
                        .model(),
                List.of()));
        return out;
    }
}
