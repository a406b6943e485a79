package dev.buildfleet.verify;

import java.util.List;
import java.util.Map;

/** Traffic the platform means a tenant's pod to have, and only that: a peer, its ports, and why it is allowed. */
sealed interface Allowed {
    String why();

    List<Port> ports();

    /** A protocol and port number. */
    record Port(String protocol, int number) {
        static List<Port> tcp(List<Integer> numbers) {
            return numbers.stream().map(n -> new Port("TCP", n)).toList();
        }

        @Override
        public String toString() {
            return protocol + " " + number;
        }
    }

    /** Pods of one namespace carrying at least these labels (none: every pod there). */
    record Pods(String why, String namespace, Map<String, String> labels, List<Port> ports) implements Allowed {
    }

    /** Addresses within a CIDR. */
    record Cidr(String why, IpRange range, List<Port> ports) implements Allowed {
    }
}
