package dev.buildfleet.cli;

import picocli.CommandLine;

import java.util.concurrent.Callable;

/** A command inside a {@link CommandGroup} (e.g. `storage ensure`): its own spec and the group it belongs to. */
abstract class GroupCommand<G extends CommandGroup> implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.ParentCommand
    G parent;
}
