package org.cover4j.pretrain;

import java.util.List;

/** What every method states the same way: its name, its loss columns and its monitor columns. */
public abstract class MethodBase<S> implements PretrainMethod<S> {
    private final String name;
    private final List<String> losses;
    private final List<String> monitors;

    protected MethodBase(String name, List<String> losses, List<String> monitors) {
        this.name = name;
        this.losses = List.copyOf(losses);
        this.monitors = List.copyOf(monitors);
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final List<String> lossNames() {
        return losses;
    }

    @Override
    public final List<String> monitorNames() {
        return monitors;
    }
}
