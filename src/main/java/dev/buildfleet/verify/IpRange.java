package dev.buildfleet.verify;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** An IPv4 or IPv6 CIDR as a range of addresses; literals only, never a DNS lookup. */
record IpRange(String text, int bits, BigInteger first, BigInteger last) {
    private static final Pattern LITERAL = Pattern.compile("^[0-9a-fA-F:.]+$");

    /** The range of {@code cidr}, or null when it is not one. */
    static IpRange parse(String cidr) {
        if (cidr == null || !cidr.contains("/")) {
            return null;
        }
        BigInteger[] address = address(cidr.substring(0, cidr.indexOf('/')));
        if (address == null) {
            return null;
        }
        int bits = address[1].intValue();
        int prefix;
        try {
            prefix = Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1));
        } catch (NumberFormatException e) {
            return null;
        }
        if (prefix < 0 || prefix > bits) {
            return null;
        }
        BigInteger hostMask = BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE);
        BigInteger first = address[0].andNot(hostMask);
        return new IpRange(cidr, bits, first, first.or(hostMask));
    }

    boolean contains(String ip) {
        BigInteger[] address = address(ip);
        return address != null && address[1].intValue() == bits && first.compareTo(address[0]) <= 0
                && address[0].compareTo(last) <= 0;
    }

    boolean within(IpRange other) {
        return bits == other.bits && first.compareTo(other.first) >= 0 && last.compareTo(other.last) <= 0;
    }

    /** {value, bits} of an address literal, or null. */
    private static BigInteger[] address(String ip) {
        if (ip == null || ip.isEmpty() || !LITERAL.matcher(ip).matches()) {
            return null;
        }
        try {
            byte[] bytes = InetAddress.getByName(ip).getAddress();
            return new BigInteger[]{new BigInteger(1, bytes), BigInteger.valueOf(bytes.length * 8L)};
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
