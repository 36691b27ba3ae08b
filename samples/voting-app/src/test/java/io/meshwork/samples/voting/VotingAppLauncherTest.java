package io.meshwork.samples.voting;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The launcher as users run it: a separate JVM, its exit code and what it prints. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VotingAppLauncherTest {

    @Test
    void unknownServiceIsOneSentenceAndExitCodeTwo() throws Exception {
        var run = run(List.of("nope"));
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stderr()).isEqualTo("Unknown service 'nope'; choose vote, worker, result, redis-standin, backing or all.\n");
    }

    @Test
    void portInUseNamesThePortWithoutAStackTrace() throws Exception {
        try (var taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            var run = run(List.of("vote", "--BIND=127.0.0.1", "--PORT=" + taken.getLocalPort()));
            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.stderr()).isEqualTo("vote: Port " + taken.getLocalPort() + " on 127.0.0.1 is already in use; set PORT to a free port.\n");
        }
    }

    @Test
    void badVersionNamesTheSetting() throws Exception {
        var run = run(List.of("vote", "--VERSION=v3"));
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.stderr()).isEqualTo("vote: VERSION='v3' is not a vote version; set VERSION to v1 or v2.\n");
    }

    @Test
    void voteStartsFromFlagsAndServes() throws Exception {
        var process = new ProcessBuilder(command(List.of("vote", "--BIND=127.0.0.1", "--PORT=0", "--VERSION=v2"))).redirectErrorStream(true).start();
        try (var out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            assertThat(line).startsWith("vote v2 listening on 127.0.0.1:");
            var matcher = Pattern.compile("127\\.0\\.0\\.1:(\\d+),").matcher(line);
            assertThat(matcher.find()).isTrue();
            try (var http = HttpClient.newHttpClient()) {
                var response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + matcher.group(1) + "/healthz")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.body()).isEqualTo("ok\n");
                assertThat(response.headers().firstValue("x-vote-version")).contains("v2");
            }
        } finally {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private record Run(int exit, String stdout, String stderr) {}

    private static Run run(List<String> args) throws IOException, InterruptedException {
        var process = new ProcessBuilder(command(args)).start();
        process.getOutputStream().close();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static List<String> command(List<String> args) {
        var command = new ArrayList<String>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(VotingApp.class.getName());
        command.addAll(args);
        return command;
    }
}
