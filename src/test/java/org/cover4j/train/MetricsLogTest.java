package org.cover4j.train;

import org.cover4j.util.CoverException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** metrics.csv survives a kill mid-row and reports a full disk by name. */
class MetricsLogTest {
    @Test
    void aTornLastRowAndRowsAfterTheCheckpointAreDroppedOnResume(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("metrics.csv");
        // Rows 1-3 whole; row 4 torn by a kill in the middle of its write (its step parses, its value count does not fit).
        Files.writeString(f, "step,loss,seconds\n1,0.5,1.0\n2,0.4,2.0\n3,0.3,3.0\n4,0.2");
        try (MetricsLog log = MetricsLog.open(f, 10, "step", "loss", "seconds")) {
            log.row(4L, 0.25, 4.0);
        }
        assertEquals(List.of("step,loss,seconds", "1,0.5,1.0", "2,0.4,2.0", "3,0.3,3.0", "4,0.250000,4.00000"), Files.readAllLines(f));

        // A torn row that looks whole but for its newline is dropped too; so are rows after the checkpoint's step.
        Files.writeString(f, "step,loss,seconds\n1,0.5,1.0\n2,0.4,2.0\n3,0.3,3.0");
        assertEquals(List.of("1,0.5,1.0"), MetricsLog.keptRows(f, 1, 3));
        assertEquals(List.of("1,0.5,1.0", "2,0.4,2.0"), MetricsLog.keptRows(f, 5, 3));
        // A whole line that is not a row of these columns (a torn write the disk cut short) is dropped wherever it is.
        Files.writeString(f, "step,loss,seconds\n1,0.5\n2,0.4,2.0\n");
        assertEquals(List.of("2,0.4,2.0"), MetricsLog.keptRows(f, 5, 3));
    }

    @Test
    void eachRowIsOneWriteAndAFullDiskNamesTheFile(@TempDir Path dir) {
        Path f = dir.resolve("metrics.csv");
        List<String> writes = new ArrayList<>();
        MetricsLog.Sink full = new MetricsLog.Sink() {
            @Override
            public void append(byte[] row) throws IOException {
                writes.add(new String(row, java.nio.charset.StandardCharsets.UTF_8));
                if (writes.size() == 2) throw new IOException("No space left on device");
            }

            @Override
            public void sync() {}

            @Override
            public void close() {}
        };
        MetricsLog log = new MetricsLog(f, full, new String[] {"step", "loss"});
        log.row(1L, 0.5);
        assertEquals(List.of("1,0.500000\n"), writes, "a whole row, newline included, in one write");
        CoverException e = assertThrows(CoverException.class, () -> log.row(2L, 0.4));
        assertEquals(CoverException.TRAINING_FAILED, e.exitCode());
        assertTrue(e.getMessage().startsWith(f + ": cannot append a row (No space left on device)"), e.getMessage());
    }
}
