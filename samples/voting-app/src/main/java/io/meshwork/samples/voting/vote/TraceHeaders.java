package io.meshwork.samples.voting.vote;

import com.sun.net.httpserver.Headers;
import java.net.http.HttpRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tracing headers an incoming request carried, to be copied onto every outbound call.
 *
 * <p>A mesh's sidecars can only stitch spans into one trace if the application forwards these
 * headers from its inbound request to its outbound ones; that is the one thing Istio asks of
 * applications. The vote service makes no outbound HTTP call today, so the headers are attached
 * to the log line of the Redis call and {@link #applyTo} is ready for the first HTTP call.
 */
public record TraceHeaders(Map<String, String> values) {
    /** Header names propagated, lower case: Envoy's request id, W3C trace context, Zipkin B3, OpenTracing. */
    public static final List<String> NAMES = List.of(
            "x-request-id", "traceparent", "tracestate", "b3",
            "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled", "x-b3-flags",
            "x-ot-span-context");

    public TraceHeaders {
        values = Map.copyOf(values);
    }

    /** The propagated headers present on {@code headers} (first value of each). */
    public static TraceHeaders from(Headers headers) {
        var found = new LinkedHashMap<String, String>();
        for (String name : NAMES) {
            String value = headers.getFirst(name);
            if (value != null && !value.isBlank()) {
                found.put(name, value);
            }
        }
        return new TraceHeaders(found);
    }

    /** Copies the headers onto an outbound request. */
    public HttpRequest.Builder applyTo(HttpRequest.Builder request) {
        values.forEach(request::header);
        return request;
    }

    /** {@code " name=value ..."} for a log line, or empty when there is nothing to propagate. */
    public String logSuffix() {
        var out = new StringBuilder();
        NAMES.forEach(name -> {
            String value = values.get(name);
            if (value != null) {
                out.append(' ').append(name).append('=').append(value);
            }
        });
        return out.toString();
    }
}
