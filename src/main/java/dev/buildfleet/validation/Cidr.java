package dev.buildfleet.validation;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** Parses IPv4/IPv6 CIDRs without ever resolving a host name. */
final class Cidr {
    private static final Pattern IPV4 = Pattern.compile("^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})$");
    private static final Pattern IPV6_CHARS = Pattern.compile("^[0-9a-fA-F:.]+$");

    /** The addresses a valid CIDR covers, first to last, in an address family of {@code bits} (32 or 128). */
    record Range(String text, int bits, BigInteger first, BigInteger last) {
        boolean overlaps(Range other) {
            return bits == other.bits && first.compareTo(other.last) <= 0 && other.first.compareTo(last) <= 0;
        }

        boolean within(Range other) {
            return bits == other.bits && first.compareTo(other.first) >= 0 && last.compareTo(other.last) <= 0;
        }

        boolean everything() {
            return first.signum() == 0 && last.equals(BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE));
        }
    }

    private Cidr() {
    }

    /** The range of a CIDR that {@link #check} accepts; null for anything else. */
    static Range range(String cidr) {
        if (cidr == null || check(cidr) != null) {
            return null;
        }
        int slash = cidr.indexOf('/');
        byte[] bytes = parseAddress(cidr.substring(0, slash));
        int bits = bytes.length * 8;
        int prefix = Integer.parseInt(cidr.substring(slash + 1));
        BigInteger first = new BigInteger(1, bytes);
        BigInteger last = first.or(BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE));
        return new Range(cidr, bits, first, last);
    }

    /** @return null when valid, else what is wrong */
    static String check(String cidr) {
        if (cidr == null || cidr.isBlank()) {
            return "is empty; give a CIDR like 10.20.0.0/16";
        }
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            byte[] host = parseAddress(cidr);
            return host == null ? "'" + cidr + "' is not a CIDR like 10.20.0.0/16"
                    : "'" + cidr + "' has no prefix length; write e.g. " + cidr + "/" + host.length * 8;
        }
        String address = cidr.substring(0, slash);
        String prefixText = cidr.substring(slash + 1);
        byte[] bytes = parseAddress(address);
        if (bytes == null) {
            return "'" + cidr + "' is not a CIDR: '" + address + "' is not an IPv4 or IPv6 address";
        }
        int maxPrefix = bytes.length * 8;
        int prefix;
        try {
            prefix = Integer.parseInt(prefixText);
        } catch (NumberFormatException e) {
            return "'" + cidr + "' is not a CIDR: prefix length '" + prefixText + "' is not a number";
        }
        if (prefix < 0 || prefix > maxPrefix) {
            return "'" + cidr + "' is not a CIDR: prefix length must be 0.." + maxPrefix;
        }
        BigInteger value = new BigInteger(1, bytes);
        BigInteger hostMask = BigInteger.ONE.shiftLeft(maxPrefix - prefix).subtract(BigInteger.ONE);
        if (!value.and(hostMask).equals(BigInteger.ZERO)) {
            return "'" + cidr + "' has host bits set; did you mean " + network(bytes, value, hostMask) + "/" + prefix
                    + "?";
        }
        return null;
    }

    private static String network(byte[] bytes, BigInteger value, BigInteger hostMask) {
        BigInteger net = value.andNot(hostMask);
        byte[] raw = net.toByteArray();
        byte[] out = new byte[bytes.length];
        int copy = Math.min(raw.length, out.length);
        System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
        try {
            return InetAddress.getByAddress(out).getHostAddress();
        } catch (UnknownHostException e) {
            return "?";
        }
    }

    private static byte[] parseAddress(String address) {
        var m = IPV4.matcher(address);
        if (m.matches()) {
            byte[] out = new byte[4];
            for (int i = 0; i < 4; i++) {
                int part = Integer.parseInt(m.group(i + 1));
                if (part > 255) {
                    return null;
                }
                out[i] = (byte) part;
            }
            return out;
        }
        if (address.contains(":") && IPV6_CHARS.matcher(address).matches()) {
            try {
                // A literal containing ':' is parsed, never looked up in DNS.
                byte[] out = InetAddress.getByName(address).getAddress();
                return out.length == 16 ? out : null;
            } catch (UnknownHostException e) {
                return null;
            }
        }
        return null;
    }
}
