package org.cover4j.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cover4j.io.Image;
import org.cover4j.io.Affines;
import org.cover4j.io.ImageStats;
import org.cover4j.io.MedicalImages;
import org.cover4j.io.SafeTensors;
import org.cover4j.util.CoverException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * {@code cover4j info FILE...}: what cover4j reads from each image — format, shape (file index order, as nibabel
 * reports it), datatype, spacing, orientation code (nibabel's {@code aff2axcodes}), affine and intensity range —
 * or, for a {@code .safetensors} file, its tensor names, dtypes, shapes and metadata. {@code --json} prints one
 * JSON object per file per line. An unreadable file gets a one-line error on stderr and the others are still
 * described; the exit status is then non-zero.
 */
@Command(name = "info", header = "Show what cover4j reads from image files, .safetensors contents and checkpoint descriptions (.json).",
        description = {"For each FILE print format, shape, datatype, spacing, orientation (e.g. RAS), the voxel-to-world",
                "affine (RAS+ mm) and the intensity min/max/mean over finite voxels. Shapes are in the file's",
                "index order (as nibabel reports them). A folder is read as a DICOM series.",
                "A FILE that cannot be read gets a one-line error on stderr and the others are still shown;",
                "the exit status is then non-zero (3 for bad data)."})
public class InfoCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(arity = "0..*", paramLabel = "FILE", description = "Image files (NIfTI, MetaImage, PNG/JPEG/TIFF/BMP/GIF, DICOM, JSRT .IMG), .safetensors, or checkpoint .json.")
    List<Path> files = new ArrayList<>();

    @Option(names = "--presets", description = "List the data set presets (for --preset NAME --data DIR) with their layouts and preprocessing.")
    boolean presets;

    @Option(names = "--methods", description = "List the pre-training methods (for pretrain --method NAME), one line each.")
    boolean methods;

    @Option(names = "--backbones", description = "List the backbones (for --backbone NAME) with their options, one line each.")
    boolean backbones;

    @Option(names = "--engine", description = "Show the engine: libtorch's version, threads, whether oneDNN is on and why, and the "
            + "start-up check's convolution probes (output and gradients against double precision), each run again now.")
    boolean engine;

    @Option(names = "--json", description = "Print one JSON object per file and line.")
    boolean json;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Spec
    CommandSpec spec;

    public InfoCommand() {}

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (presets) {
            out.println(org.cover4j.data.Presets.markdownTable());
            out.flush();
        } else if (methods) {
            for (org.cover4j.pretrain.Methods.Entry m : org.cover4j.pretrain.Methods.all()) out.printf("%-9s %s%n", m.name(), m.summary());
            out.flush();
        } else if (backbones) {
            for (org.cover4j.nn.Backbones.Kind b : org.cover4j.nn.Backbones.all()) {
                out.printf("%-10s %s%s%n", b.name(), b.description(),
                        b.optionNames().isEmpty() ? "" : "; options --" + String.join(", --", b.optionNames()));
            }
            out.flush();
        } else if (engine) {
            printEngine(out);
        } else if (files.isEmpty()) {
            throw CoverException.usage("info: give one or more FILEs, --presets, --methods, --backbones or --engine");
        }
        // One bad file among many must not hide the others: each gets its one-line error, and the exit status
        // (that of the first failure) says that something could not be read.
        PrintWriter err = spec.commandLine().getErr();
        int status = 0;
        for (Path f : files) {
            String name = f.getFileName() == null ? f.toString() : f.getFileName().toString().toLowerCase(Locale.ROOT);
            ObjectNode info;
            try {
                info = name.endsWith(".safetensors") ? safetensorsInfo(f)
                        : name.endsWith(".json") ? checkpointInfo(f) : imageInfo(f, w -> {
                            err.println("cover4j: warning: " + w);
                            err.flush();
                        });
            } catch (CoverException e) {
                err.println("cover4j: " + e.getMessage());
                err.flush();
                if (status == 0) status = e.exitCode();
                continue;
            }
            out.println(json ? compact(info) : text(info));
            out.flush();
        }
        return status;
    }

    /** {@code --engine}: what a bug report about wrong or slow numbers needs. */
    private static void printEngine(PrintWriter out) {
        org.cover4j.torch.Torch.load();
        org.cover4j.torch.ConvolutionCheck.Outcome o = org.cover4j.torch.ConvolutionCheck.outcome();
        out.printf("engine: %s; intra-op threads: %d of %d cores; CUDA %s%n", org.cover4j.torch.Torch.ENGINE,
                org.cover4j.torch.Torch.threads(), Runtime.getRuntime().availableProcessors(),
                org.cover4j.torch.Torch.cudaAvailable() ? "available" : "not available");
        out.printf("oneDNN: %s (%s=%s)%s%n", org.cover4j.torch.Torch.mkldnnAvailable() ? "on" : "off", org.cover4j.torch.ConvolutionCheck.ENV,
                o.setting(), o.message() == null ? "" : ": " + o.message());
        out.println("convolution probes, run as the networks run them (output vs a direct double computation, input and weight");
        out.println("gradients vs libtorch's float64 convolution):");
        for (String line : org.cover4j.torch.ConvolutionCheck.probeReport()) out.println("  " + line);
        out.flush();
    }

    /** What {@code info} shows of an image; {@code warn} gets each warning of the reader (e.g. a voxel size of 0). */
    static ObjectNode imageInfo(Path f, Consumer<String> warn) {
        MedicalImages.Reading reading = MedicalImages.readReporting(f);
        reading.warnings().forEach(warn);
        Image img = reading.image();
        ImageStats st = ImageStats.of(img);
        ObjectNode o = JSON.createObjectNode();
        o.put("file", f.toString());
        o.put("format", img.format());
        o.put("datatype", img.datatype());
        ArrayNode shape = o.putArray("shape");
        for (int s : img.shape()) shape.add(s);
        o.put("channels", img.channels());
        ArrayNode spacing = o.putArray("spacing");
        for (double s : img.spacing()) spacing.add(s);
        o.put("orientation", Affines.axcodes(img.affine()));
        ArrayNode affine = o.putArray("affine");
        for (double[] row : img.affine()) {
            ArrayNode r = affine.addArray();
            for (double v : row) r.add(v);
        }
        putNumber(o, "min", st.min());
        putNumber(o, "max", st.max());
        putNumber(o, "mean", st.mean());
        o.put("sum", st.sum());
        o.put("nonfinite", st.nonFinite());
        return o;
    }

    static ObjectNode safetensorsInfo(Path f) {
        SafeTensors.Contents c = SafeTensors.readHeader(f);
        ObjectNode o = JSON.createObjectNode();
        o.put("file", f.toString());
        o.put("format", "safetensors");
        ArrayNode tensors = o.putArray("tensors");
        c.tensors().forEach((name, t) -> {
            ObjectNode n = tensors.addObject();
            n.put("name", name);
            n.put("dtype", t.dtype());
            ArrayNode s = n.putArray("shape");
            for (long d : t.shape()) s.add(d);
        });
        ObjectNode meta = o.putObject("metadata");
        c.metadata().forEach(meta::put);
        return o;
    }

    /** A cover4j checkpoint or model description ({@code last.json}, {@code model.json}): its whole record, provenance included. */
    static ObjectNode checkpointInfo(Path f) {
        JsonNode doc;
        try {
            doc = JSON.readTree(f.toFile());
        } catch (java.io.IOException e) {
            throw CoverException.file(f, "not readable JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (doc == null || !doc.isObject() || !doc.path("format").asText().startsWith("cover4j")) {
            throw CoverException.file(f, "not a cover4j checkpoint or model description (no \"format\": \"cover4j-...\")");
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("file", f.toString());
        o.setAll((ObjectNode) doc);
        return o;
    }

    /** JSON has no NaN: a statistic of an image without finite voxels is written as null. */
    private static void putNumber(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) o.put(key, v);
        else o.putNull(key);
    }

    private static String compact(ObjectNode o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(ObjectNode o) {
        StringBuilder b = new StringBuilder(o.get("file").asText()).append('\n');
        row(b, "format", o.get("format").asText());
        if (o.get("format").asText().startsWith("cover4j")) {
            o.fields().forEachRemaining(e -> {
                if (e.getKey().equals("file") || e.getKey().equals("format")) return;
                if (e.getValue().isObject() && e.getKey().equals("provenance")) {
                    e.getValue().fields().forEachRemaining(p -> row(b, p.getKey(), p.getValue().asText()));
                } else {
                    row(b, e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : compact((ObjectNode) JSON.createObjectNode().set("v", e.getValue())).replaceFirst("^\\{\"v\":", "").replaceFirst("}$", ""));
                }
            });
            return b.toString().stripTrailing();
        }
        if (o.get("format").asText().equals("safetensors")) {
            row(b, "tensors", Integer.toString(o.get("tensors").size()));
            o.get("tensors").forEach(t -> b.append("    ").append(t.get("name").asText()).append("  ")
                    .append(t.get("dtype").asText()).append("  ").append(t.get("shape")).append('\n'));
            o.get("metadata").fields().forEachRemaining(e -> row(b, "metadata", e.getKey() + " = " + e.getValue().asText()));
            return b.toString().stripTrailing();
        }
        row(b, "datatype", o.get("datatype").asText());
        row(b, "shape", join(o.get("shape"), " x ") + (o.get("channels").asInt() > 1 ? "  (" + o.get("channels").asInt() + " channels)" : ""));
        row(b, "spacing", join(o.get("spacing"), " x "));
        row(b, "orientation", o.get("orientation").asText());
        String label = "affine";
        for (JsonNode r : o.get("affine")) {
            List<String> cells = new ArrayList<>();
            r.forEach(v -> cells.add(String.format(Locale.ROOT, "%10.4f", v.asDouble() == 0 ? 0.0 : v.asDouble())));
            row(b, label, String.join(" ", cells));
            label = "";
        }
        row(b, "intensity", String.format(Locale.ROOT, "min %s  max %s  mean %s  sum %s", num(o.get("min")), num(o.get("max")),
                num(o.get("mean")), num(o.get("sum"))));
        if (o.get("nonfinite").asLong() > 0) row(b, "non-finite", o.get("nonfinite").asLong() + " voxels (NaN or Inf)");
        return b.toString().stripTrailing();
    }

    private static void row(StringBuilder b, String key, String value) {
        b.append(String.format(Locale.ROOT, "  %-12s %s%n", key, value));
    }

    private static String join(JsonNode arr, String sep) {
        List<String> parts = new ArrayList<>();
        arr.forEach(v -> parts.add(num(v)));
        return String.join(sep, parts);
    }

    private static String num(JsonNode v) {
        if (v == null || v.isNull()) return "n/a";
        double d = v.asDouble();
        if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString((long) d);
        return String.format(Locale.ROOT, "%.6g", d);
    }
}
