package dev.buildfleet.validation;

import dev.buildfleet.config.FleetConfig;

import java.net.URI;
import java.util.List;
import java.util.regex.Pattern;

/** The fleet's HTTP proxy: URLs with a host and port, where it answers (never every address), NO_PROXY entries. */
final class ProxyRules {
    /** A host name, .domain suffix, IP address or CIDR: what Go's, curl's and the JDK's NO_PROXY matching take. */
    private static final Pattern NO_PROXY_ENTRY = Pattern.compile("^\\.?[A-Za-z0-9]([-A-Za-z0-9.:]*[A-Za-z0-9])?"
            + "(/\\d{1,3})?$");

    private ProxyRules() {
    }

    static void check(FleetConfig config, String p, List<Problem> problems) {
        FleetConfig.Proxy proxy = config.proxy();
        if (proxy == null) {
            return;
        }
        if (proxy.httpProxy() == null && proxy.httpsProxy() == null) {
            problems.add(new Problem(p + "proxy", "set httpProxy (and httpsProxy when it differs), e.g. "
                    + "http://proxy.example.com:3128, or leave proxy out"));
        }
        url(proxy.httpProxy(), p + "proxy.httpProxy", problems);
        url(proxy.httpsProxy(), p + "proxy.httpsProxy", problems);
        ConfigValidator.cidrs(proxy.cidrs(), p + "proxy.cidrs", "the proxy", problems);
        ConfigValidator.openable(proxy.cidrs(), p + "proxy.cidrs", config, true, problems);
        ConfigValidator.ports(proxy.ports(), p + "proxy.ports", problems);
        if (proxy.noProxy() != null) {
            for (int i = 0; i < proxy.noProxy().size(); i++) {
                String entry = proxy.noProxy().get(i);
                if (entry == null || !NO_PROXY_ENTRY.matcher(entry).matches()) {
                    problems.add(new Problem(p + "proxy.noProxy[" + i + "]", "'" + entry + "' is not a host, "
                            + ".domain, IP address or CIDR (no '*', no commas, no spaces)"));
                }
            }
        }
    }

    private static void url(String value, String path, List<Problem> problems) {
        if (value == null) {
            return;
        }
        String refusal = Checks.url(value, true, "");
        if (refusal != null) {
            problems.add(new Problem(path, refusal));
            return;
        }
        URI uri = URI.create(value);
        if (uri.getPort() < 1 || (uri.getPath() != null && !uri.getPath().isEmpty() && !"/".equals(uri.getPath()))) {
            problems.add(new Problem(path, "'" + Checks.redacted(value) + "' must be scheme://host:port, e.g. "
                    + "http://proxy.example.com:3128 (credentials do not belong here)"));
        }
    }
}
