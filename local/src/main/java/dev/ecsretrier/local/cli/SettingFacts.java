package dev.ecsretrier.local.cli;

import dev.ecsretrier.config.Setting;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ResourceBundle;

/**
 * Each setting's default and range, as the help's variables: an option's description says
 * {@code ${bundle:RETRIER_MAX_ATTEMPTS.default}}, {@code ${bundle:RETRIER_MAX_ATTEMPTS.range}} (or
 * {@code .max}), and picocli puts in
 * what {@link Setting} states, so the help never repeats a default or a limit of its own.
 */
final class SettingFacts extends ResourceBundle {

    private final Map<String, String> facts = new LinkedHashMap<>();

    SettingFacts() {
        for (Setting setting : Setting.values()) {
            if (setting.defaultValue() != null) {
                facts.put(setting.variable() + ".default", setting.defaultValue());
            }
            setting.range().ifPresent(range -> {
                facts.put(setting.variable() + ".range", range.toString());
                facts.put(setting.variable() + ".max", BigDecimal.valueOf(range.max()).stripTrailingZeros().toPlainString());
            });
        }
    }

    @Override
    protected Object handleGetObject(String key) {
        return facts.get(key);
    }

    @Override
    public Enumeration<String> getKeys() {
        return Collections.enumeration(facts.keySet());
    }
}
