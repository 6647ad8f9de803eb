package org.cover4j.pretrain;

/**
 * The settings of one pre-training method (a record per method, e.g. COVER's MoV heads and view strength),
 * recorded in checkpoints as {@code method_settings} beside the common settings and the backbone.
 */
public interface MethodSettings {}
