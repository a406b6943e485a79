package dev.buildfleet.validation;

import dev.buildfleet.api.DnsConfig;
import dev.buildfleet.api.DnsOption;
import dev.buildfleet.api.HostAlias;
import dev.buildfleet.model.ResolvedTenant;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Rules for what the tenant's runner and job pods are given besides images: pull Secrets, host aliases, DNS. */
final class PodSettingsRules {
    /** Kubernetes' limits on a pod's search list (MaxDNSSearchPaths, MaxDNSSearchListChars). */
    static final int MAX_SEARCHES = 32;
    static final int MAX_SEARCH_CHARS = 2048;
    private static final Pattern IPV4 = Pattern.compile("^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
            + "(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$");
    private static final Pattern IPV6_CHARACTERS = Pattern.compile("^[0-9a-fA-F:.]+$");
    private static final Pattern OPTION_NAME = Pattern.compile("^[a-z][a-z0-9_-]{0,62}$");
    private static final Pattern OPTION_VALUE = Pattern.compile("^[A-Za-z0-9._-]{1,63}$");

    private PodSettingsRules() {
    }

    /** Each hostname once, each a DNS name (an /etc/hosts entry matches names exactly: a * would be a literal). */
    static void hostAliases(List<HostAlias> aliases, String path, List<Problem> problems) {
        if (aliases == null) {
            return;
        }
        Map<String, Integer> firstUse = new HashMap<>();
        for (int i = 0; i < aliases.size(); i++) {
            HostAlias alias = aliases.get(i);
            String at = path + "[" + i + "]";
            if (alias == null) {
                problems.add(new Problem(at, "empty entry; give ip and hostnames"));
                continue;
            }
            ConfigValidator.check(problems, at + ".ip", ip(alias.ip()));
            if (alias.hostnames() == null || alias.hostnames().isEmpty()) {
                problems.add(new Problem(at + ".hostnames", "empty; list the names that resolve to " + alias.ip()));
                continue;
            }
            for (int j = 0; j < alias.hostnames().size(); j++) {
                String hostname = alias.hostnames().get(j);
                String message = dnsName(hostname);
                Integer first = message == null ? firstUse.putIfAbsent(hostname, i) : null;
                if (first != null) {
                    message = "'" + hostname + "' is already mapped by " + path + "[" + first + "]";
                }
                ConfigValidator.check(problems, at + ".hostnames[" + j + "]", message);
            }
        }
    }

    /**
     * A tenant adds names; it cannot point one the platform maps at another address (the runner would send its
     * token there, jobs their cache uploads).
     */
    static void tenantHostAliases(List<HostAlias> tenant, List<HostAlias> fleet, String path,
                                  List<Problem> problems) {
        if (tenant == null || fleet == null) {
            return;
        }
        Map<String, String> platform = new HashMap<>();
        Map<String, Integer> platformIndex = new HashMap<>();
        for (int i = 0; i < fleet.size(); i++) {
            HostAlias alias = fleet.get(i);
            if (alias != null && alias.hostnames() != null) {
                for (String hostname : alias.hostnames()) {
                    platform.putIfAbsent(hostname, alias.ip());
                    platformIndex.putIfAbsent(hostname, i);
                }
            }
        }
        for (int i = 0; i < tenant.size(); i++) {
            HostAlias alias = tenant.get(i);
            if (alias == null || alias.hostnames() == null) {
                continue;
            }
            for (int j = 0; j < alias.hostnames().size(); j++) {
                String hostname = alias.hostnames().get(j);
                String ip = platform.get(hostname);
                if (ip != null && !ip.equals(alias.ip())) {
                    problems.add(new Problem(path + "[" + i + "].hostnames[" + j + "]", "'" + hostname
                            + "' is mapped to " + ip + " by config.hostAliases[" + platformIndex.get(hostname)
                            + "]; a tenant cannot point a platform name elsewhere"));
                }
            }
        }
    }

    static void dnsConfig(DnsConfig dns, String path, List<Problem> problems) {
        if (dns == null) {
            return;
        }
        if (dns.searches() != null) {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < dns.searches().size(); i++) {
                String search = dns.searches().get(i);
                String message = dnsName(search);
                if (message == null && !seen.add(search)) {
                    message = "'" + search + "' is listed twice";
                }
                ConfigValidator.check(problems, path + ".searches[" + i + "]", message);
            }
        }
        if (dns.options() != null) {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < dns.options().size(); i++) {
                DnsOption option = dns.options().get(i);
                String at = path + ".options[" + i + "]";
                if (option == null) {
                    problems.add(new Problem(at, "empty entry; give name (and value where the option has one)"));
                } else if (option.name() == null || !OPTION_NAME.matcher(option.name()).matches()) {
                    problems.add(new Problem(at + ".name", "'" + option.name() + "' is not a resolv.conf option "
                            + "name like ndots, timeout, attempts, edns0 or single-request-reopen"));
                } else if (!seen.add(option.name())) {
                    problems.add(new Problem(at + ".name", "'" + option.name() + "' is listed twice"));
                } else if (option.value() != null && !OPTION_VALUE.matcher(option.value()).matches()) {
                    problems.add(new Problem(at + ".value", "'" + option.value() + "' is not an option value "
                            + "(letters, digits, '.', '_', '-'; e.g. \"2\" for ndots); leave it out for options "
                            + "without one"));
                }
            }
        }
    }

    /** After the fleet's and the tenant's search domains add up, they must still fit a pod's resolv.conf. */
    static void resolvedDns(ResolvedTenant t, String path, List<Problem> problems) {
        if (t.dnsConfig() == null) {
            return;
        }
        List<String> searches = t.dnsConfig().searches();
        int chars = String.join(" ", searches).length();
        if (searches.size() > MAX_SEARCHES || chars > MAX_SEARCH_CHARS) {
            problems.add(new Problem(path + ".searches", searches.size() + " search domains of " + chars
                    + " characters with FleetConfig's; Kubernetes takes at most " + MAX_SEARCHES + " and "
                    + MAX_SEARCH_CHARS + " characters"));
        }
    }

    static String ip(String ip) {
        if (ip == null || ip.isEmpty()) {
            return "missing; give an IPv4 or IPv6 address like 10.10.0.10";
        }
        boolean valid = IPV4.matcher(ip).matches();
        if (!valid && ip.contains(":") && IPV6_CHARACTERS.matcher(ip).matches()) {
            try {
                // A literal containing ':' is parsed, never looked up in DNS.
                valid = InetAddress.getByName(ip).getAddress().length == 16;
            } catch (UnknownHostException e) {
                valid = false;
            }
        }
        if (!valid) {
            return "'" + ip + "' is not an IP address (IPv4 like 10.10.0.10 without leading zeros, or IPv6)";
        }
        if (ip.equals("0.0.0.0") || ip.equals("::") || ip.matches("^[0:]+$")) {
            return "'" + ip + "' is the unspecified address, which reaches nothing";
        }
        return null;
    }

    static String dnsName(String name) {
        if (name == null || name.isEmpty()) {
            return "empty; give a DNS name like gitlab.internal.example.com";
        }
        if (name.contains("*")) {
            return "'" + name + "' is a wildcard; name each host (an /etc/hosts entry or search domain matches "
                    + "whole names only)";
        }
        boolean labelsFit = java.util.Arrays.stream(name.split("\\.", -1)).allMatch(l -> l.length() <= 63);
        if (name.length() > 253 || !labelsFit || !Checks.DNS_SUBDOMAIN.matcher(name).matches()) {
            return "'" + name + "' is not a DNS name (lowercase letters, digits, '-' and '.', labels of at most 63 "
                    + "characters, no trailing dot)";
        }
        return null;
    }

    static void imagePullSecrets(List<String> names, String path, List<Problem> problems) {
        if (names == null) {
            return;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            String at = path + "[" + i + "]";
            if (name == null || name.length() > 253 || !Checks.DNS_SUBDOMAIN.matcher(name).matches()) {
                problems.add(new Problem(at, "'" + name + "' is not a Secret name (lowercase letters, digits, '-' "
                        + "and '.'; the Secret lives in the tenant namespace)"));
            } else if (!seen.add(name)) {
                problems.add(new Problem(at, "'" + name + "' is listed twice"));
            }
        }
    }
}
