package dev.buildfleet.storage;

import java.net.URI;

/**
 * What an RGW endpoint must look like before a request goes to it: http(s), a host, a port from 1 to 65535 and no
 * path. RGW takes the first path segment for a bucket name, so a request under a path would reach some bucket (or
 * "no such bucket") instead of the Admin Ops or S3 call that was meant.
 */
final class RgwEndpoint {
    private RgwEndpoint() {
    }

    /** @throws StorageFault InvalidConfiguration naming {@code what} (e.g. "RGW admin endpoint") and the reason */
    static void require(URI endpoint, String what) {
        String problem = problem(endpoint);
        if (problem != null) {
            throw new StorageFault(StorageFault.Reason.InvalidConfiguration, what + " " + endpoint + " " + problem
                    + "; give it as http(s)://host[:port]");
        }
    }

    private static String problem(URI endpoint) {
        if (endpoint.getScheme() == null || !(endpoint.getScheme().equals("http")
                || endpoint.getScheme().equals("https"))) {
            return "is not an http(s) URL";
        }
        if (endpoint.getHost() == null) {
            return "has no host";
        }
        if (endpoint.getPort() != -1 && (endpoint.getPort() < 1 || endpoint.getPort() > 65535)) {
            return "has port " + endpoint.getPort() + " (a port is 1 to 65535)";
        }
        String path = endpoint.getRawPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            return "has the path " + path + " (RGW would take '" + path.substring(1).split("/")[0]
                    + "' for a bucket)";
        }
        return null;
    }
}
