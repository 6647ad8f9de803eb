package org.cover4j.torch;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;

/**
 * Process-wide engine settings: loading the natives, the number of intra-op threads, the build
 * configuration. Everything JavaCPP-specific lives in this package so that the rest reads as plain Java.
 */
public final class Torch {
    /** The engine, as {@code --version} and {@code info --engine} name it. */
    public static final String ENGINE = "libtorch 2.10.0 via org.bytedeco:pytorch 2.10.0-1.5.13";

    private static volatile boolean loaded;

    private Torch() {}

    /**
     * Loads libtorch once (a few hundred ms the first time) and switches NNPACK off. libtorch asks whether NNPACK
     * is usable for every 2D convolution that oneDNN does not take, and where the CPU or container does not support
     * it, that question prints "Could not initialize NNPACK! Reason: Unsupported hardware." on stderr. It would
     * only be chosen for batches of 16 or more that oneDNN declines (never here, with oneDNN built in), so
     * switching it off changes no result, silences the warning, and keeps the kernels the same on every machine.
     * Then {@link ConvolutionCheck} makes sure the convolutions compute right on this CPU (oneDNN's do not on some).
     */
    public static void load() {
        if (!loaded) loadOnce();
        ConvolutionCheck.ensure();
    }

    private static synchronized void loadOnce() {
        if (loaded) return;
        Loader.load(torch.class);
        torch.globalContext().setUserEnabledNNPACK(false);
        loaded = true;
    }

    /**
     * Sets libtorch's intra-op thread pool (OpenMP; oneDNN convolutions run on it too). OpenBLAS keeps a pool of
     * its own whose idle threads spin and take the cores from OpenMP's; the launcher therefore starts the JVM with
     * {@code OPENBLAS_NUM_THREADS=1} (nothing heavy goes to BLAS here). The Java kernels of
     * {@code LocalCorrelation} use the same thread count.
     */
    public static void setThreads(int threads) {
        load();
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1");
        torch.set_num_threads(threads);
    }

    public static int threads() {
        load();
        return torch.get_num_threads();
    }

    /**
     * Hands memory that the C allocator keeps after frees back to the operating system ({@code malloc_trim}). The
     * allocator otherwise keeps it for reuse, and what it keeps adds to the next peak of the resident set.
     */
    public static void releaseFreedMemory() {
        load();
        org.bytedeco.javacpp.Pointer.trimMemory();
    }

    /** libtorch's own description of its build (BLAS, oneDNN, OpenMP, CUDA). */
    public static String buildConfig() {
        load();
        return torch.show_config().getString();
    }

    /** Whether a CUDA device can be used (never on the CPU-only natives this project ships). */
    public static boolean cudaAvailable() {
        load();
        return torch.cuda_is_available();
    }

    /** Whether oneDNN (mkldnn) kernels are compiled in and enabled. */
    public static boolean mkldnnAvailable() {
        load();
        return torch.hasMKLDNN() && torch.globalContext().userEnabledMkldnn();
    }
}
