package dev.buildfleet.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The tenant runner manager's system_id, which GitLab uses to tell runner managers of one runner apart.
 * gitlab-runner reads it from .runner_system_id beside config.toml (format s_ or r_ and 12 of [0-9a-zA-Z]) and makes
 * a random one when the file is missing; config.toml lives in an emptyDir here, so without this every new pod
 * would show up in GitLab as one more manager. Derived from the tenant's name, so render and the operator agree and
 * it survives pod restarts, reinstalls and a BuildTenant recreated under the same name. Not a secret.
 */
public final class RunnerSystemId {
    public static final String FILE = ".runner_system_id";

    private RunnerSystemId() {
    }

    public static String of(String tenant) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(("buildfleet-runner:" + tenant).getBytes(StandardCharsets.UTF_8));
            return "s_" + HexFormat.of().formatHex(hash).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
