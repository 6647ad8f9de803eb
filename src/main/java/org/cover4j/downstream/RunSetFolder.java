package org.cover4j.downstream;

import org.cover4j.util.CoverException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code --out} of a set of fine-tuning runs with a summary of them ({@code --restarts}, {@code --compare-scratch}):
 * what it may hold before the set starts or resumes. The runs live in sub-folders of their own; {@code OUT} itself
 * holds the set's files ({@code files}, the summary first) and, for restarts, the kept run's model.
 *
 * @param flag    the option that makes the set ("--restarts")
 * @param noun    how messages name the set ("restarts", "a comparison")
 * @param pronoun how messages refer back to it ("them", "it")
 */
record RunSetFolder(String flag, String noun, String pronoun, List<String> files) {
    /**
     * Refuses to resume a single run's folder as a set ({@code started}: the set's summary was found), and a fresh set
     * over an earlier model or set unless {@code force}, which then removes them (not the runs' own folders: each run
     * replaces its own).
     */
    void prepare(Path out, boolean resume, boolean started, boolean force) {
        String summary = files.get(0);
        if (resume && !started && ModelFiles.holdsModel(out)) {
            throw CoverException.usage("--out " + out + " holds a single fine-tuning run, not " + noun + " (no " + summary + "); resume it "
                    + "without " + flag + ", or give another --out");
        }
        if (resume || !Files.exists(out.resolve(summary)) && !ModelFiles.holdsModel(out)) return;
        if (!force) {
            throw CoverException.usage("--out " + out + " already holds a fine-tuned model or " + noun + " (" + ModelFiles.MODEL_JSON + ", "
                    + summary + "); use --resume to continue " + pronoun + ", --force to replace " + pronoun + ", or another --out");
        }
        Finetuning.clear(out);
        try {
            for (String f : files) Files.deleteIfExists(out.resolve(f));
        } catch (IOException e) {
            // "the earlier comparison", "the earlier restarts": the noun without its article.
            throw CoverException.file(out, "cannot remove the earlier " + noun.replaceFirst("^a ", "") + " (" + e.getMessage() + ")");
        }
    }
}
