package dev.ecsretrier.infra;

import java.util.LinkedHashMap;
import java.util.Map;

/** Maps whose entries keep the order written: Map.of's order changes from run to run, and so would the template. */
final class TemplateOrder {

    private TemplateOrder() {
    }

    static <V> Map<String, V> map(String key1, V value1, String key2, V value2) {
        Map<String, V> map = new LinkedHashMap<>();
        map.put(key1, value1);
        map.put(key2, value2);
        return map;
    }
}
