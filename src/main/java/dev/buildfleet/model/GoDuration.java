package dev.buildfleet.model;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The subset of Go's duration syntax that kaniko's --cache-ttl and our TTLs use: hours, minutes, seconds. */
public final class GoDuration {
    private static final Pattern FORMAT = Pattern.compile("^(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?$");

    private GoDuration() {
    }

    /** @throws IllegalArgumentException naming the accepted form */
    public static Duration parse(String text) {
        Matcher m = text == null ? null : FORMAT.matcher(text);
        if (m == null || text.isEmpty() || !m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration like 336h, 90m or 1h30m");
        }
        try {
            return Duration.ofHours(group(m, 1)).plusMinutes(group(m, 2)).plusSeconds(group(m, 3));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too long a duration");
        }
    }

    public static String format(Duration d) {
        long hours = d.toHours();
        int minutes = d.toMinutesPart();
        int seconds = d.toSecondsPart();
        StringBuilder out = new StringBuilder();
        if (hours > 0) {
            out.append(hours).append('h');
        }
        if (minutes > 0) {
            out.append(minutes).append('m');
        }
        if (seconds > 0 || out.isEmpty()) {
            out.append(seconds).append('s');
        }
        return out.toString();
    }

    private static long group(Matcher m, int i) {
        return m.group(i) == null ? 0 : Long.parseLong(m.group(i));
    }
}
