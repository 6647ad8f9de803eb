package org.cover4j.cli;

import org.cover4j.pretrain.MethodOptions;
import org.cover4j.pretrain.Methods;
import org.cover4j.util.CoverException;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The methods' own options on a command line: each registered group ({@link Methods#OPTION_GROUPS}) becomes a
 * section of {@code --help}, and an option given for a method it does not belong to is refused in one line.
 */
final class MethodOptionGroups implements MethodOptions.Values {
    private final Map<Class<?>, MethodOptions> groups = new LinkedHashMap<>();
    /** Each group's option names, as the parse result knows them. */
    private final Map<MethodOptions, List<String>> optionNames = new LinkedHashMap<>();

    /** Adds every method's option groups to {@code spec}. */
    static MethodOptionGroups addTo(CommandSpec spec) {
        MethodOptionGroups all = new MethodOptionGroups();
        for (Supplier<MethodOptions> make : Methods.OPTION_GROUPS) {
            MethodOptions o = make.get();
            all.groups.put(o.getClass(), o);
            ArgGroupSpec.Builder group = ArgGroupSpec.builder().heading("%n" + o.heading() + ":%n").exclusive(false).multiplicity("0..1");
            List<String> names = new ArrayList<>();
            for (OptionSpec option : CommandSpec.forAnnotatedObject(o).options()) {
                group.addArg(option);
                names.add(option.longestName());
            }
            all.optionNames.put(o, names);
            spec.addArgGroup(group.build());
        }
        return all;
    }

    @Override
    public <T extends MethodOptions> T get(Class<T> type) {
        MethodOptions o = groups.get(type);
        if (o == null) throw new IllegalStateException("option group " + type.getSimpleName() + " is not registered in Methods.OPTION_GROUPS");
        return type.cast(o);
    }

    /** The options of {@code group} given on {@code pr}. */
    private List<String> given(MethodOptions group, CommandLine.ParseResult pr) {
        return optionNames.get(group).stream().filter(pr::hasMatchedOption).toList();
    }

    /** Whether any option of {@code method}'s groups was given on {@code pr}. */
    boolean anyMatched(String method, CommandLine.ParseResult pr) {
        return groups.values().stream().anyMatch(o -> o.methods().contains(method) && !given(o, pr).isEmpty());
    }

    /** The options given on {@code pr} that belong to groups of other methods than {@code method}: a usage error. */
    void check(String method, CommandLine.ParseResult pr) {
        List<String> wrong = new ArrayList<>();
        String owners = null;
        for (MethodOptions o : groups.values()) {
            if (o.methods().contains(method)) continue;
            List<String> g = given(o, pr);
            if (g.isEmpty()) continue;
            wrong.addAll(g);
            owners = String.join("/", o.methods());
        }
        if (!wrong.isEmpty()) {
            throw CoverException.usage(String.join(", ", wrong) + (wrong.size() == 1 ? " is an option" : " are options") + " of --method "
                    + owners + ", not of --method " + method + " (see 'cover4j pretrain --help')");
        }
    }
}
