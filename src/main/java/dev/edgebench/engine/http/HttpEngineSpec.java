package dev.edgebench.engine.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;

/**
 * An HTTP engine as the user names it: {@code openai:<base url>[,option...]},
 * {@code ollama:<base url>[,option...]} or {@code llama-server[,option...]}. Options:
 * {@code api=completions|chat|llama} (openai only; {@code llama} is llama-server's native
 * {@code /completion}), {@code model=<name>} (default: the model the run names),
 * {@code extras=on|off} (the non-standard request fields: ignore_eos, return_token_ids,
 * continuous_usage_stats, timings_per_token, cache_prompt=false; off for a server that refuses unknown fields),
 * {@code connect-ms=N}, {@code first-byte-ms=N} (until the response headers), {@code stall-ms=N}
 * (longest silence inside a stream), {@code ready-ms=N} (llama-server: its start-up until /health).
 *
 * @param family       openai, ollama or llama-server
 * @param baseUri      the server's base address (null for llama-server until it is started)
 * @param dialect      the API
 * @param model        the model name to send (null: the run's)
 * @param extras       whether to send the non-standard fields
 * @param connectTimeout  connection timeout
 * @param firstByteTimeout  time allowed until the response headers
 * @param stallTimeout longest silence allowed inside a stream
 * @param readyTimeout llama-server start-up limit
 */
public record HttpEngineSpec(String family, URI baseUri, Dialect dialect, String model, boolean extras, Duration connectTimeout,
                             Duration firstByteTimeout, Duration stallTimeout, Duration readyTimeout) {

    /** @return whether {@code spec} names an HTTP engine */
    public static boolean accepts(String spec) {
        return spec != null && (spec.startsWith("openai:") || spec.startsWith("ollama:")
                || spec.equals("llama-server") || spec.startsWith("llama-server,"));
    }

    /**
     * @throws IllegalArgumentException naming the part of {@code spec} that is wrong
     */
    public static HttpEngineSpec parse(String spec) {
        if (!accepts(spec)) {
            throw new IllegalArgumentException("engine '" + spec + "' is not openai:<url>, ollama:<url> or llama-server");
        }
        String family = spec.startsWith("openai:") ? "openai" : spec.startsWith("ollama:") ? "ollama" : "llama-server";
        String rest = family.equals("llama-server") ? spec.substring("llama-server".length()) : spec.substring(family.length() + 1);
        String[] parts = rest.split(",", -1);
        URI base = null;
        if (!family.equals("llama-server")) {
            base = baseUri(spec, parts[0]);
        }
        Dialect dialect = switch (family) {
            case "ollama" -> Dialect.OLLAMA;
            case "llama-server" -> Dialect.LLAMA;
            default -> Dialect.COMPLETIONS;
        };
        String model = null;
        boolean extras = true;
        Duration connect = Duration.ofSeconds(5);
        Duration firstByte = Duration.ofSeconds(120);
        Duration stall = Duration.ofSeconds(60);
        Duration ready = Duration.ofSeconds(120);
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("engine '" + spec + "': option '" + p + "' is not key=value");
            }
            String k = p.substring(0, eq);
            String v = p.substring(eq + 1);
            switch (k) {
                case "api" -> {
                    if (!family.equals("openai") && !family.equals("llama-server")) {
                        throw new IllegalArgumentException("engine '" + spec + "': api= applies to openai: and llama-server only");
                    }
                    dialect = switch (v) {
                        case "completions" -> Dialect.COMPLETIONS;
                        case "chat" -> Dialect.CHAT;
                        case "llama" -> Dialect.LLAMA;
                        default -> throw new IllegalArgumentException("engine '" + spec + "': api=" + v + " is not completions, chat or llama");
                    };
                }
                case "model" -> {
                    if (v.isBlank()) {
                        throw new IllegalArgumentException("engine '" + spec + "': model= is empty");
                    }
                    model = v;
                }
                case "extras" -> extras = switch (v) {
                    case "on" -> true;
                    case "off" -> false;
                    default -> throw new IllegalArgumentException("engine '" + spec + "': extras=" + v + " is not on or off");
                };
                case "connect-ms" -> connect = millis(spec, k, v);
                case "first-byte-ms" -> firstByte = millis(spec, k, v);
                case "stall-ms" -> stall = millis(spec, k, v);
                case "ready-ms" -> ready = millis(spec, k, v);
                default -> throw new IllegalArgumentException("engine '" + spec + "': unknown option '" + k
                        + "' (api, model, extras, connect-ms, first-byte-ms, stall-ms, ready-ms)");
            }
        }
        return new HttpEngineSpec(family, base, dialect, model, extras, connect, firstByte, stall, ready);
    }

    /** @return this specification pointed at a started server */
    public HttpEngineSpec at(URI base) {
        return new HttpEngineSpec(family, base, dialect, model, extras, connectTimeout, firstByteTimeout, stallTimeout, readyTimeout);
    }

    private static URI baseUri(String spec, String url) {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("engine '" + spec + "': '" + url + "' is not a URL: " + e.getMessage());
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || u.getHost() == null) {
            throw new IllegalArgumentException("engine '" + spec + "': '" + url + "' is not an http:// or https:// URL with a host");
        }
        // the dialects add /v1/...: a base given with /v1 (as OpenAI clients take it) drops it
        String s = u.toString().replaceAll("/+$", "");
        return URI.create(s.endsWith("/v1") ? s.substring(0, s.length() - 3) : s);
    }

    private static Duration millis(String spec, String k, String v) {
        try {
            long ms = Long.parseLong(v);
            if (ms < 1) {
                throw new NumberFormatException();
            }
            return Duration.ofMillis(ms);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("engine '" + spec + "': " + k + "=" + v + " is not a positive number of milliseconds");
        }
    }
}
