package org.cover4j.downstream;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.Params;

import java.util.List;

/** A task head on a backbone's five feature levels (finest first): logits for the loss. */
public interface Head {
    /** Logits: {@code (B, K, *S)} for segmentation, {@code (B, K)} for classification. */
    Tensor apply(List<Tensor> levels);

    /** The head's own parameters (the only ones a linear probe trains). */
    Params params();
}
