package org.cover4j.cli;

import org.cover4j.data.Presets;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code info --presets} lists every preset (the finetune/pretrain help points to it); {@code info} alone is a usage error. */
class InfoPresetsTest {
    @Test
    void listsEveryPresetAndRefusesNoArguments() {
        CliRunner.Run r = CliRunner.run("info", "--presets");
        assertEquals(0, r.code(), r.err());
        for (String name : Presets.names()) assertTrue(r.out().contains("| " + name + " |"), name + " missing from:\n" + r.out());
        CliRunner.Run none = CliRunner.run("info");
        assertEquals(2, none.code());
        assertTrue(none.err().contains("--presets"), none.err());
    }
}
