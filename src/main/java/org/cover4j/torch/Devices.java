package org.cover4j.torch;

import org.bytedeco.pytorch.Device;
import org.cover4j.util.CoverException;

/** Parses the {@code --device} option: {@code cpu}, {@code cuda} or {@code cuda:N}. */
public final class Devices {
    private Devices() {}

    public static Device parse(String spec) {
        Torch.load();
        String s = spec == null ? "cpu" : spec.trim().toLowerCase();
        if (s.equals("cpu")) return new Device("cpu");
        if (s.equals("cuda") || s.matches("cuda:\\d+")) {
            if (!Torch.cudaAvailable()) {
                throw CoverException.usage("--device " + spec + ": no CUDA device is available to this build"
                        + " (the linux-x86_64 natives are CPU-only; use --device cpu or the CUDA natives)");
            }
            return new Device(s);
        }
        throw CoverException.usage("--device " + spec + ": expected cpu, cuda or cuda:N");
    }

    public static boolean isCpu(Device d) {
        return d.is_cpu();
    }
}
