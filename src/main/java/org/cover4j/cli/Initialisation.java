package org.cover4j.cli;

import org.cover4j.io.NpyArray;
import org.cover4j.io.Npz;
import org.cover4j.io.SafeTensors;
import org.cover4j.nn.Params;
import org.cover4j.util.CoverException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code --init FILE}: weights from a cover4j checkpoint ({@code .safetensors}, or its {@code .json}) or from
 * a reference state dict exported with numpy ({@code np.savez(f, **{k: v.numpy() for k, v in sd.items()})}).
 * Names and shapes must match exactly; every mismatch is named.
 */
final class Initialisation {
    private Initialisation() {}

    static void load(Params params, Path file) {
        if (!Files.isRegularFile(file)) throw CoverException.usage("--init " + file + ": no such file");
        String name = file.getFileName().toString().toLowerCase();
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        if (name.endsWith(".npz")) {
            for (Map.Entry<String, NpyArray> e : Npz.read(file).entrySet()) {
                values.put(e.getKey(), e.getValue().floats());
                shapes.put(e.getKey(), e.getValue().shape());
            }
        } else if (name.endsWith(".safetensors")) {
            SafeTensors.read(file).tensors().forEach((k, t) -> {
                values.put(k, t.data());
                shapes.put(k, t.shape());
            });
        } else if (name.endsWith(".json")) {
            load(params, file.resolveSibling(file.getFileName().toString().replaceFirst("\\.json$", ".safetensors")));
            return;
        } else if (name.endsWith(".pth") || name.endsWith(".pt") || name.endsWith(".tar")) {
            throw CoverException.file(file, "PyTorch pickles are not read (they can run code); export with "
                    + "np.savez('sd.npz', **{k: v.numpy() for k, v in torch.load(f)['state_dict'].items()}) or safetensors");
        } else {
            throw CoverException.file(file, "unknown weights format (expected .safetensors or .npz)");
        }
        params.load(values, shapes, file.toString());
    }
}
