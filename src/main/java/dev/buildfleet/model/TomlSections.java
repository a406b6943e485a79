package dev.buildfleet.model;

import com.electronwill.nightconfig.core.Config;
import com.electronwill.nightconfig.core.io.IndentStyle;
import com.electronwill.nightconfig.core.io.NewlineStyle;
import com.electronwill.nightconfig.toml.TomlFormat;
import com.electronwill.nightconfig.toml.TomlWriter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes nested maps as a TOML document a person can read: each map becomes a {@code [table]} section and each list
 * of maps an {@code [[array of tables]]}, laid out like gitlab-runner's own config.toml. Jackson's TOML writer only
 * writes inline tables, which put a whole runner on one line.
 *
 * <p>Keys are taken as they are: a dot inside one (a label key like buildfleet.dev/tenant) stays part of that key and
 * is quoted. Strings are written as literal strings ('...') unless they hold a quote or a control character, and a
 * list of strings too long for one line gets one element per line.
 */
final class TomlSections {
    private static final int ONE_LINE_ARRAY_CHARS = 100;

    private TomlSections() {
    }

    static String write(Map<String, ?> document) {
        TomlWriter writer = new TomlWriter();
        writer.setIndent(IndentStyle.SPACES_2);
        writer.setNewline(NewlineStyle.UNIX);
        writer.setWriteTableInlinePredicate(table -> false);
        writer.setHideRedundantLevels(false);
        writer.setWriteStringMultilinePredicate(string -> false);
        writer.setWriteStringLiteralPredicate(TomlSections::literal);
        writer.setIndentArrayElementsPredicate(TomlSections::tooLongForOneLine);
        return writer.writeToString(table(document));
    }

    private static Config table(Map<?, ?> map) {
        Config table = TomlFormat.newConfig(LinkedHashMap::new);
        map.forEach((key, value) -> table.set(List.of(key.toString()), value(value)));
        return table;
    }

    private static Object value(Object value) {
        if (value instanceof Map<?, ?> map) {
            return table(map);
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(element -> out.add(value(element)));
            return out;
        }
        return value;
    }

    private static boolean literal(String string) {
        return string.chars().noneMatch(c -> c == '\'' || c < 0x20 || c == 0x7f);
    }

    private static boolean tooLongForOneLine(List<?> list) {
        int chars = 0;
        for (Object element : list) {
            chars += String.valueOf(element).length() + 4;
        }
        return chars > ONE_LINE_ARRAY_CHARS;
    }
}
