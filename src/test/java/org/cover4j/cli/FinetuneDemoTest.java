package org.cover4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code cover4j demo --quick}: pre-training, both fine-tuning runs and the summary, end to end in seconds. */
class FinetuneDemoTest {
    @Test
    void quickDemoFineTunesFromCoverAndFromScratchAndWritesTheSummary(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("demo");
        CliRunner.Run r = CliRunner.run("demo", "--quick", "--out", out.toString(), "--threads", "1");
        assertEquals(0, r.code(), r.err());
        String md = Files.readString(out.resolve("summary.md"));
        assertTrue(md.contains("| metric | COVER init | scratch |"), md);
        assertTrue(md.contains("| mean Dice |") && md.contains("| mean HD95 (finite cases) |"), md);
        assertTrue(Files.readString(out.resolve("summary.html")).contains("<table>"));
        for (String f : new String[] {"figures/pretrain_loss.png", "figures/val_dice.png", "figures/cover_init_case_30000.png",
                "finetune-cover/test/metrics.json", "finetune-scratch/test/metrics.json"}) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
        // The COVER run started from the pre-trained backbone, the scratch run did not.
        assertEquals(out.resolve("pretrain").toString(), DownstreamFixtures.json(out.resolve("finetune-cover/model.json")).get("init"));
        assertEquals(null, DownstreamFixtures.json(out.resolve("finetune-scratch/model.json")).get("init"));
        assertTrue(r.out().contains("Summary: " + out.resolve("summary.md").toAbsolutePath()), r.out());
        // Running again replaces the earlier demo; a folder with other files is refused.
        assertEquals(0, CliRunner.run("demo", "--quick", "--out", out.toString(), "--threads", "1").code());
        Path other = tmp.resolve("other");
        Files.createDirectories(other.resolve("data"));
        CliRunner.Run refused = CliRunner.run("demo", "--quick", "--out", other.toString());
        assertEquals(2, refused.code());
        assertTrue(refused.err().contains("not an earlier demo"), refused.err());
    }
}
