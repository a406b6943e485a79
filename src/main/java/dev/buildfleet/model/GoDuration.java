package dev.buildfleet.model;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The subset of Go's duration syntax that kaniko's --cache-ttl and our TTLs use: hours, minutes, seconds, up to Go's
 * longest duration (the nanoseconds of a signed 64-bit integer, 2562047h47m16s), which Kaniko could not parse beyond.
 */
public final class GoDuration {
    public static final Duration MAX = Duration.ofSeconds(Duration.ofNanos(Long.MAX_VALUE).toSeconds());
    private static final Pattern FORMAT = Pattern.compile("^(?:(\\d{1,12})h)?(?:(\\d{1,12})m)?(?:(\\d{1,12})s)?$");
    private static final Pattern DIGITS_THEN_UNITS = Pattern.compile("^(?:\\d+h)?(?:\\d+m)?(?:\\d+s)?$");

    private GoDuration() {
    }

    /** @throws IllegalArgumentException naming the accepted form, or the longest duration */
    public static Duration parse(String text) {
        String shown = text == null ? "null" : "'" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "'";
        Matcher m = text == null ? null : FORMAT.matcher(text);
        if (m == null || text.isEmpty() || !m.matches()) {
            if (text != null && !text.isEmpty() && DIGITS_THEN_UNITS.matcher(text).matches()) {
                throw tooLong(shown);
            }
            throw new IllegalArgumentException(shown + " is not a duration like 336h, 90m or 1h30m");
        }
        long seconds = group(m, 1) * 3600 + group(m, 2) * 60 + group(m, 3);
        if (seconds > MAX.toSeconds()) {
            throw tooLong(shown);
        }
        return Duration.ofSeconds(seconds);
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

    private static IllegalArgumentException tooLong(String shown) {
        return new IllegalArgumentException(shown + " is longer than " + format(MAX)
                + ", the longest duration Go (and so Kaniko) reads");
    }

    private static long group(Matcher m, int i) {
        return m.group(i) == null ? 0 : Long.parseLong(m.group(i));
    }
}
