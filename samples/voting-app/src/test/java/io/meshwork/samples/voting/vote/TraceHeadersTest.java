package io.meshwork.samples.voting.vote;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.Headers;
import java.net.URI;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;

class TraceHeadersTest {

    @Test
    void copiesOnlyTracingHeadersOntoOutboundCalls() {
        var inbound = new Headers();
        inbound.add("X-Request-Id", "req-1");
        inbound.add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        inbound.add("X-B3-TraceId", "80f198ee56343ba864fe8b2a57d3eff7");
        inbound.add("X-B3-Sampled", "1");
        inbound.add("Cookie", "voter_id=secret");
        inbound.add("Authorization", "Bearer x");

        var trace = TraceHeaders.from(inbound);
        var outbound = trace.applyTo(HttpRequest.newBuilder(URI.create("http://127.0.0.1/"))).build().headers();

        assertThat(outbound.firstValue("x-request-id")).contains("req-1");
        assertThat(outbound.firstValue("traceparent")).contains("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        assertThat(outbound.firstValue("x-b3-traceid")).contains("80f198ee56343ba864fe8b2a57d3eff7");
        assertThat(outbound.firstValue("x-b3-sampled")).contains("1");
        assertThat(outbound.map()).doesNotContainKeys("cookie", "authorization");
        assertThat(trace.logSuffix()).isEqualTo(" x-request-id=req-1 traceparent=00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
                + " x-b3-traceid=80f198ee56343ba864fe8b2a57d3eff7 x-b3-sampled=1");
    }

    @Test
    void nothingToPropagateGivesAnEmptySuffix() {
        assertThat(TraceHeaders.from(new Headers()).logSuffix()).isEmpty();
    }
}
