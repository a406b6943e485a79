package dev.buildfleet.validation;

import io.fabric8.kubernetes.api.model.Quantity;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.regex.Pattern;

/** Field-level rules shared by the fleet and tenant validators; each returns null or what is wrong. */
final class Checks {
    static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
    static final Pattern DNS_SUBDOMAIN = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
    /** scheme://user:password@ : what comes before the first @ of the authority. */
    private static final Pattern USER_INFO = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@");
    private static final Pattern URL_NEVER = Pattern.compile("[$'\"\\\\\\s]");
    private static final Pattern LABEL_NAME = Pattern.compile("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$");
    private static final Pattern IMAGE = Pattern.compile(
            "^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-]+[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
                    + "(@sha256:[a-f0-9]{64})?$");
    /** Kubernetes' quantity notation, with an exponent of at most two digits. */
    private static final Pattern QUANTITY = Pattern.compile(
            "^[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]{1,2}|[KMGTPE]i|[numkMGTPE])?$");
    private static final int QUANTITY_MAX_LENGTH = 40;
    private static final Pattern IPV4_LITERAL = Pattern.compile("^\\d+\\.\\d+\\.\\d+\\.\\d+$");

    private Checks() {
    }

    static String url(String value, boolean allowHttp, String optInHint) {
        if (value == null || value.isBlank()) {
            return "is empty; give a URL like https://host";
        }
        String shown = "'" + redacted(value) + "'";
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            return shown + " is not a URL";
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))) {
            return shown + " must start with https:// (or http://)";
        }
        if (uri.getRawUserInfo() != null) {
            return shown + " carries credentials; put them in a Secret, never in a URL";
        }
        if (uri.getHost() == null) {
            return shown + " has no host name";
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            return shown + " must not have a query or fragment";
        }
        if (URL_NEVER.matcher(value).find()) {
            return shown + " holds $, a quote, a backslash or a space, which no GitLab or RGW URL needs; "
                    + "they would reach config files and shell scripts";
        }
        if (uri.getScheme().equals("http") && !allowHttp) {
            return shown + " is plain http: tokens would cross the network unencrypted; use https, or "
                    + optInHint;
        }
        return null;
    }

    /** A URL as it may be shown: user info and query (where tokens hide) replaced by ***, whatever else is wrong. */
    static String redacted(String value) {
        String out = USER_INFO.matcher(value).replaceFirst("$1***@");
        int query = out.indexOf('?');
        return query < 0 ? out : out.substring(0, query + 1) + "***";
    }

    /**
     * A Ceph RGW endpoint: a URL as {@link #url} allows, with a port from 1 to 65535 and no path. RGW reads the first
     * path segment as a bucket name, so Admin Ops under a path reach S3 instead and its "no such bucket" answers would
     * read as "no such user".
     */
    static String rgwEndpoint(String value) {
        String problem = url(value, true, "");
        if (problem != null) {
            return problem;
        }
        URI uri = URI.create(value);
        if (uri.getPort() != -1 && (uri.getPort() < 1 || uri.getPort() > 65535)) {
            return "'" + value + "' has port " + uri.getPort() + "; a port is 1 to 65535";
        }
        String path = uri.getRawPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            String segment = path.substring(1);
            segment = segment.contains("/") ? segment.substring(0, segment.indexOf('/')) : segment;
            return "'" + value + "' has the path '" + path + "'; give the RGW endpoint without a path (like "
                    + uri.getScheme() + "://" + uri.getRawAuthority() + ")" + (segment.isEmpty() ? ""
                    : ": RGW would read '" + segment + "' as a bucket name");
        }
        return null;
    }

    static String image(String value) {
        if (value == null || value.isBlank()) {
            return "is empty; give an image reference like registry/name:1.2.3";
        }
        if (!IMAGE.matcher(value).matches()) {
            return "'" + value + "' is not an image reference like registry.example.com/team/name:1.2.3";
        }
        String lastPart = value.substring(value.lastIndexOf('/') + 1);
        if (!value.contains("@sha256:") && !lastPart.contains(":")) {
            return "'" + value + "' has no tag: pin a version (name:1.2.3 or name@sha256:...)";
        }
        if (lastPart.endsWith(":latest") || lastPart.contains(":latest@")) {
            return "'" + value + "' uses the moving tag latest: pin a version";
        }
        return null;
    }

    static String labelKey(String key) {
        if (key == null || key.isEmpty()) {
            return "label key is empty";
        }
        String name = key;
        int slash = key.indexOf('/');
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            name = key.substring(slash + 1);
            if (prefix.isEmpty() || prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
                return "label key '" + key + "' has an invalid prefix (a DNS subdomain like example.com)";
            }
        }
        if (name.length() > 63 || !LABEL_NAME.matcher(name).matches()) {
            return "label key '" + key + "' is invalid (at most 63 letters, digits, '-', '_', '.')";
        }
        return null;
    }

    static String labelValue(String value) {
        if (value == null) {
            return "label value is missing";
        }
        if (!value.isEmpty() && (value.length() > 63 || !LABEL_NAME.matcher(value).matches())) {
            return "label value '" + value + "' is invalid (at most 63 letters, digits, '-', '_', '.')";
        }
        return null;
    }

    /**
     * A quantity greater than zero and at most {@code max}, in Kubernetes' notation. Checked on the text before
     * any arithmetic, so that an exponent like 1e999999999 never reaches BigDecimal.
     *
     * @return the amount, or null after recording a problem
     */
    static BigDecimal quantity(Quantity q, QuantityRange max, String path, List<Problem> problems) {
        if (q == null) {
            return null;
        }
        String text = q.toString();
        if (text.length() > QUANTITY_MAX_LENGTH || !QUANTITY.matcher(text).matches()) {
            problems.add(new Problem(path, shown(text) + " is not a quantity like 2, 500m, 512Mi or 4Gi"));
            return null;
        }
        BigDecimal amount;
        try {
            amount = Quantity.getAmountInBytes(q);
        } catch (RuntimeException e) {
            problems.add(new Problem(path, shown(text) + " is not a quantity like 2, 500m, 512Mi or 4Gi"));
            return null;
        }
        if (amount.signum() <= 0) {
            problems.add(new Problem(path, shown(text) + " must be greater than zero"));
            return null;
        }
        if (amount.compareTo(max.most()) > 0) {
            problems.add(new Problem(path, shown(text) + " is more than " + max.text() + ", the most a "
                    + max.what() + " may be"));
            return null;
        }
        return amount;
    }

    /** A value as a message shows it: quoted, and cut short when it is long. */
    static String shown(String value) {
        return "'" + (value.length() > 64 ? value.substring(0, 64) + "..." : value) + "'";
    }

    /** S3 and Ceph RGW bucket rules; RGW additionally forbids what breaks virtual-host addressing. */
    static String bucket(String bucket) {
        if (bucket.length() < 3 || bucket.length() > 63) {
            return "'" + bucket + "' has " + bucket.length() + " characters; a bucket name has 3 to 63";
        }
        if (!DNS_LABEL.matcher(bucket).matches()) {
            return "'" + bucket + "' may only hold lowercase letters, digits and '-', starting and ending with a "
                    + "letter or digit";
        }
        if (IPV4_LITERAL.matcher(bucket).matches() || bucket.startsWith("xn--") || bucket.endsWith("-s3alias")) {
            return "'" + bucket + "' is reserved by S3 naming rules";
        }
        return null;
    }
}
