package org.cover4j.torch;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;

/**
 * A native-memory scope for one step: every tensor created while it is open is released when it
 * closes, deterministically and without the GC. Parameters, optimizer state and other long-lived
 * tensors are created outside any step scope (or {@link #keep(Pointer) kept}).
 *
 * <pre>{@code try (StepScope s = StepScope.open()) { ... copy results to Java numbers ... } }</pre>
 */
public final class StepScope implements AutoCloseable {
    private final PointerScope scope;

    private StepScope() {
        this.scope = new PointerScope();
    }

    public static StepScope open() {
        Torch.load();
        return new StepScope();
    }

    /** Detaches {@code p} from this scope so it outlives it; the caller then owns it (close it later). */
    public <P extends Pointer> P keep(P p) {
        scope.detach(p);
        return p;
    }

    /** Native bytes currently held by JavaCPP in this process (for the memory benchmark). */
    public static long physicalBytes() {
        return Pointer.physicalBytes();
    }

    @Override
    public void close() {
        scope.close();
    }
}
