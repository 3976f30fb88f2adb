package dev.edgebench.compare;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Short display names of benchmark ids for reports: the method and only the parameters whose
 * values differ between the benchmarks shown (the full id stays in the JSON report).
 */
final class Names {
    private final Map<String, String> shortNames = new LinkedHashMap<>();

    Names(Comparison c) {
        Map<String, Map<String, String>> params = new LinkedHashMap<>();
        for (ResultSet rs : new ResultSet[]{c.baseline(), c.current()}) {
            rs.benchmarks().forEach((id, b) -> params.putIfAbsent(id, b.params()));
        }
        // parameters that vary among the benchmarks of the same method are what tells them apart
        Map<String, List<Map<String, String>>> byMethod = new LinkedHashMap<>();
        params.forEach((id, p) -> byMethod.computeIfAbsent(method(id), k -> new ArrayList<>()).add(p));
        Map<String, Set<String>> varying = new LinkedHashMap<>();
        byMethod.forEach((m, ps) -> varying.put(m, varying(ps)));
        params.forEach((id, p) -> {
            StringBuilder sb = new StringBuilder(method(id));
            Set<String> v = varying.get(method(id));
            p.forEach((k, val) -> {
                if (v.contains(k)) {
                    sb.append(' ').append(k).append('=').append(val);
                }
            });
            shortNames.put(id, sb.toString());
        });
    }

    String of(String id) {
        return shortNames.getOrDefault(id, id);
    }

    /** {@code DecodeBenchmark.decode[...]} → {@code decode}; other classes keep their class name. */
    static String method(String id) {
        int b = id.indexOf('[');
        String cm = b < 0 ? id : id.substring(0, b);
        return switch (cm) {
            case "PrefillBenchmark.prefill" -> "prefill";
            case "DecodeBenchmark.decode" -> "decode";
            case "GenerationBenchmark.generate" -> "generation";
            default -> cm;
        };
    }

    private static Set<String> varying(Collection<Map<String, String>> all) {
        Map<String, String> first = new LinkedHashMap<>();
        Set<String> out = new LinkedHashSet<>();
        Set<String> keys = new LinkedHashSet<>();
        all.forEach(p -> keys.addAll(p.keySet()));
        for (Map<String, String> p : all) {
            for (String k : keys) {
                String v = p.getOrDefault(k, "");
                String f = first.putIfAbsent(k, v);
                if (f != null && !f.equals(v)) {
                    out.add(k);
                }
            }
        }
        return out;
    }
}
