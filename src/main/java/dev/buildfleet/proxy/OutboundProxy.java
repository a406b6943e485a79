package dev.buildfleet.proxy;

import dev.buildfleet.config.FleetConfig;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The operator's route to RGW and GitLab through the fleet's HTTP proxy, with NO_PROXY read as Go reads it: a name
 * matches itself and its subdomains ({@code example.com}, {@code .example.com}), an IP literal matches an address
 * or CIDR entry. Names are never resolved to decide.
 */
public record OutboundProxy(URI httpProxy, URI httpsProxy, List<String> noProxy) {
    private static final Pattern IP_LITERAL = Pattern.compile("^[0-9.]+$|^\\[?[0-9a-fA-F:]+]?$");

    /** Null when the fleet has no proxy. */
    public static OutboundProxy of(FleetConfig.Proxy proxy, List<String> noProxy) {
        if (proxy == null || proxy.httpProxy() == null && proxy.httpsProxy() == null) {
            return null;
        }
        String http = proxy.httpProxy() != null ? proxy.httpProxy() : proxy.httpsProxy();
        String https = proxy.httpsProxy() != null ? proxy.httpsProxy() : proxy.httpProxy();
        return new OutboundProxy(URI.create(http), URI.create(https), List.copyOf(noProxy));
    }

    /** The proxy to send a request for {@code target} to, or empty to go direct. */
    public Optional<InetSocketAddress> forTarget(URI target) {
        if (target.getHost() == null || bypassed(target.getHost())) {
            return Optional.empty();
        }
        URI proxy = "https".equals(target.getScheme()) ? httpsProxy : httpProxy;
        return Optional.of(InetSocketAddress.createUnresolved(proxy.getHost(), proxy.getPort()));
    }

    /** The proxy URL for {@code target}, or empty to go direct. */
    public Optional<URI> urlFor(URI target) {
        return forTarget(target).map(a -> "https".equals(target.getScheme()) ? httpsProxy : httpProxy);
    }

    boolean bypassed(String rawHost) {
        String host = rawHost.toLowerCase(Locale.ROOT).replaceAll("^\\[|]$", "");
        boolean ip = IP_LITERAL.matcher(host).matches();
        for (String rawEntry : noProxy) {
            String entry = rawEntry.toLowerCase(Locale.ROOT);
            if ("*".equals(entry)) {
                return true;
            }
            if (ip && (entry.contains("/") ? inCidr(host, entry) : entry.equals(host))) {
                return true;
            }
            if (!ip) {
                String domain = entry.startsWith(".") ? entry.substring(1) : entry;
                if (host.equals(domain) || host.endsWith("." + domain)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean inCidr(String address, String cidr) {
        try {
            byte[] a = InetAddress.getByName(address).getAddress();
            byte[] n = InetAddress.getByName(cidr.substring(0, cidr.indexOf('/'))).getAddress();
            int bits = Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1));
            if (a.length != n.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >> (i % 8);
                if ((a[i / 8] & mask) != (n[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException | NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return false;
        }
    }
}
