package dev.buildfleet.model;

import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The description of a tenant's runner in GitLab, and how the operator and the CLI recognise it, whichever of them
 * created it. Derived from the tenant name only (the CLI knows no more than the fleet file), so a tenant recreated
 * under the same name takes over a runner its predecessor left behind instead of adding a second one.
 */
public final class RunnerDescription {
    private static final String MARKER = "buildfleet ";
    /** The tenant's uid, which runners the operator created before carry after the name. */
    private static final String UID = "(?: [0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12})?";

    private RunnerDescription() {
    }

    /** "buildfleet NAME", or "CUSTOM (buildfleet NAME)" when the spec gives a description. */
    public static String of(String tenant, String custom) {
        String marker = MARKER + tenant;
        return custom == null ? marker : custom + " (" + marker + ")";
    }

    /**
     * True for a description {@link #of} made for this tenant, with any custom part: a changed custom description
     * still finds the runner. Tenant {@code a} never matches {@code a-b}: the name must end where the marker does.
     */
    public static Predicate<String> matches(String tenant) {
        String marker = Pattern.quote(MARKER + tenant) + UID;
        Pattern pattern = Pattern.compile(marker + "|.* \\(" + marker + "\\)");
        return description -> description != null && pattern.matcher(description).matches();
    }
}
