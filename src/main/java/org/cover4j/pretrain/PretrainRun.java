package org.cover4j.pretrain;

import org.cover4j.data.PrefetchLoader;
import org.cover4j.torch.Precision;
import org.cover4j.train.Optimizer;
import org.cover4j.train.Checkpoints;
import org.cover4j.train.Provenance;
import org.cover4j.train.StepLoop;
import org.cover4j.util.CoverException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One pre-training run on the shared {@link StepLoop}: the method's samples from a prefetching loader (item i of the
 * run is made from its position alone, so step t's batch depends only on the seed and t), and a checkpoint every
 * {@code --checkpoint-every} steps and at the end, in {@code OUT/checkpoints}.
 */
public final class PretrainRun<S> {
    private final PretrainConfig config;
    private final PretrainMethod<S> method;
    private final PretrainImages images;
    private final StepLoop<List<S>> loop;

    public PretrainRun(PretrainConfig config, PretrainMethod<S> method, PretrainImages images, PrintStream log, boolean showProgress) {
        this.config = config;
        this.method = method;
        this.images = images;
        PretrainSettings s = config.common();
        this.loop = new StepLoop<>(method, new StepLoop.Options(s.steps(), s.lrSchedule(), s.clipNorm(), s.maxBadSteps(), method.name(),
                showProgress), log);
    }

    /** A run of {@code config}'s method, made for it (the type of its samples is the method's business). */
    public static PretrainRun<?> of(PretrainConfig config, PretrainMethod<?> method, PretrainImages images, PrintStream log, boolean showProgress) {
        return new PretrainRun<>(config, method, images, log, showProgress);
    }

    public StepLoop<List<S>> loop() {
        return loop;
    }

    public PretrainMethod<S> method() {
        return method;
    }

    /**
     * What a finished run reports; {@code interrupted}: a stop signal ended it early, after the checkpoint of
     * {@code lastStep} (the newest checkpoint is {@code checkpoint}, null when none was written).
     */
    public record Result(long lastStep, Map<String, Double> lastLosses, Path checkpoint, int skippedSteps, boolean interrupted) {}

    /** Which checkpoints are kept: the {@code newest} newest and every {@code every}-th step (0 = none). */
    public record Retention(int newest, int every) {
        public static final Retention DEFAULT = new Retention(3, 0);

        public Retention {
            if (newest < 1) throw CoverException.usage("--keep-checkpoints must be >= 1 (the newest is always kept), got " + newest);
            if (every < 0) throw CoverException.usage("--keep-every must be >= 0 (0 = no milestones), got " + every);
        }
    }

    /** {@link #run(Path, Optimizer, long, Provenance, Retention)} with the default retention. */
    public Result run(Path out, Optimizer optimizer, long startStep, Provenance provenance) {
        return run(out, optimizer, startStep, provenance, Retention.DEFAULT);
    }

    /**
     * Trains from {@code startStep} (0 = fresh; the checkpoint's step when resuming, with {@code optimizer} and the method's
     * state already restored) to the configured steps, writing under {@code out} and keeping the checkpoints
     * {@code retention} says.
     */
    public Result run(Path out, Optimizer optimizer, long startStep, Provenance provenance, Retention retention) {
        try {
            Files.createDirectories(out.resolve("checkpoints"));
        } catch (IOException e) {
            throw CoverException.file(out, "cannot create the output folder (" + e.getMessage() + ")");
        }
        PretrainSettings s = config.common();
        int batch = s.batch();
        long startPosition = startStep * batch;
        Checkpoints checkpoints = new Checkpoints(out.resolve("checkpoints"));
        PrefetchLoader<S> loader = new PrefetchLoader<>(images.size(), s.seed(), s.workers(), Math.max(2, 2 * batch), true,
                (index, rng) -> method.sample(images.get(index), rng), startPosition);
        StepLoop.Batches<List<S>> batches = new StepLoop.Batches<>() {
            @Override
            public List<S> next(long step) {
                List<S> b = new ArrayList<>(batch);
                for (int i = 0; i < batch; i++) b.add(loader.next());
                return b;
            }

            @Override
            public void close() {
                loader.close();
            }
        };
        Saver saver = new Saver(checkpoints, optimizer, provenance, retention, startStep > 0 ? checkpoints.lastJson() : null);
        // The run computes in its recorded precision (a resumed run in its checkpoint's), whatever was set before.
        Precision before = Precision.set(s.computePrecision());
        StepLoop.Result r;
        try {
            r = loop.run(batches, optimizer, startStep, out.resolve("metrics.csv"), saver);
        } finally {
            Precision.set(before);
        }
        return new Result(r.lastStep(), r.lastLosses(), saver.last, r.skippedSteps(), r.interrupted());
    }

    /** Writes a checkpoint every {@code --checkpoint-every} steps and at the end. */
    private final class Saver implements StepLoop.Checkpointer {
        private final Checkpoints checkpoints;
        private final Optimizer optimizer;
        private final Provenance provenance;
        private final Retention retention;
        private Path last;

        Saver(Checkpoints checkpoints, Optimizer optimizer, Provenance provenance, Retention retention, Path last) {
            this.checkpoints = checkpoints;
            this.optimizer = optimizer;
            this.provenance = provenance;
            this.retention = retention;
            this.last = last;
        }

        @Override
        public void save(long step, boolean finalStep) {
            PretrainSettings s = config.common();
            if (step % s.checkpointEvery() != 0 && !finalStep) return;
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("kind", "pretrain");
            doc.put("model", method.modelDescription());
            doc.putAll(config.toCheckpointParts());
            Map<String, Object> rng = new LinkedHashMap<>();
            rng.put("algorithm", "xoshiro256** with SplitMix64 seeding; item i of epoch e uses derive(1, e, i)");
            rng.put("seed", s.seed());
            rng.put("data_position", step * s.batch());
            doc.put("rng", rng);
            doc.put("provenance", provenance.toMap());
            last = checkpoints.save(step, method.name(), method.state(), optimizer, doc, retention.newest(), retention.every());
        }

        @Override
        public Path lastCheckpoint() {
            return last;
        }
    }
}
