package io.meshwork.console.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meshwork.console.ConsoleOptions;
import io.meshwork.console.ConsoleServer;
import io.meshwork.console.MutableClock;
import io.meshwork.console.graph.FakeProxy;
import io.meshwork.console.trace.Span;
import io.meshwork.console.trace.SpanKind;
import io.meshwork.console.trace.SpanRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in Debian's headless chromium: the graph page shows the voting app's nodes with an
 * mTLS lock, and a trace opens as a timeline with its spans. Screenshots go to
 * {@code target/screenshots/}. Skipped when chromium or chromedriver is not installed.
 */
class BrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  private static FakeProxy proxy;
  private static ConsoleServer console;
  private static WebDriver driver;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
        "browser tests need Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)");
    proxy = FakeProxy.votingApp();
    Instant t0 = Instant.now();
    var clock = new MutableClock(t0.minusSeconds(10));
    var d = ConsoleOptions.defaults();
    console = ConsoleServer.start(new ConsoleOptions("127.0.0.1", 0, 0, 0, 0, d.maxTraces(), d.maxTraceBytes(), null,
        List.of(proxy.target()), Duration.ZERO, d.retention(), d.maxMetricBytes(), null), clock);
    console.metrics().scraper().scrapeOnce();
    proxy.advance(10);
    clock.set(t0);
    console.metrics().scraper().scrapeOnce();
    long now = t0.toEpochMilli() * 1000;
    String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    console.traces().add(List.of(
        span(trace, "00f067aa0ba902b7", null, "istio-ingressgateway", "vote.default.svc.cluster.local:80/*", SpanKind.CLIENT, now, 12_000, false),
        span(trace, "00f067aa0ba902b8", "00f067aa0ba902b7", "vote", "POST /", SpanKind.SERVER, now + 1_000, 10_000, false),
        span(trace, "00f067aa0ba902b9", "00f067aa0ba902b8", "vote", "redis RPUSH", SpanKind.CLIENT, now + 3_000, 2_000, true)));
    var service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
    var options = new ChromeOptions().setBinary(CHROMIUM.toFile())
        .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,900");
    driver = new ChromeDriver(service, options);
    base = "http://127.0.0.1:" + console.uiPort() + "/";
    Files.createDirectories(Path.of("target/screenshots"));
  }

  private static Span span(String trace, String id, String parent, String svc, String op, SpanKind kind, long start, long dur, boolean error) {
    Map<String, Object> tags = error ? Map.of("error", true, "component", "proxy") : Map.of("component", "proxy");
    return new Span(trace, id, parent, op, kind, start, dur, svc, tags, Map.of("istio.namespace", "default"), List.of(),
        parent == null ? List.of() : List.of(new SpanRef("CHILD_OF", trace, parent)));
  }

  @AfterAll
  static void stop() {
    if (driver != null) {
      driver.quit();
    }
    if (console != null) {
      console.close();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  private static void screenshot(String name) throws Exception {
    Files.write(Path.of("target/screenshots/" + name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
  }

  @Test
  void graphPageShowsTheVotingAppNodesAndAnMtlsLock() throws Exception {
    driver.get(base + "#/graph?namespaces=default&graphType=workload&label=rate&refresh=0");
    new WebDriverWait(driver, Duration.ofSeconds(15)).until(d -> d.findElements(By.cssSelector("#graph-svg g.node")).size() >= 6);
    var ids = driver.findElements(By.cssSelector("#graph-svg g.node")).stream().map(e -> e.getDomAttribute("data-id")).toList();
    assertThat(ids).contains("wl:istio-system:istio-ingressgateway", "svc:default:vote", "wl:default:vote-v1", "unknown", "wl:default:redis");
    assertThat(driver.findElements(By.cssSelector("#graph-svg .mtls-lock"))).isNotEmpty();
    assertThat(driver.findElements(By.cssSelector("#graph-svg .edge-label")).stream().map(e -> e.getText()).toList()).contains("11.00 rps", "1500.00 B/s");
    // Stable layout: a refresh keeps every node where it was.
    String before = driver.findElement(By.cssSelector("#graph-svg g.node[data-id='wl:default:vote-v1']")).getDomAttribute("transform");
    driver.findElement(By.id("g-go")).click();
    Thread.sleep(500);
    assertThat(driver.findElement(By.cssSelector("#graph-svg g.node[data-id='wl:default:vote-v1']")).getDomAttribute("transform")).isEqualTo(before);
    assertThat(driver.findElements(By.cssSelector("#graph-svg g.edge.failing"))).isEmpty();
    driver.findElement(By.cssSelector("#graph-svg g.node[data-id='wl:default:vote-v1']")).click();
    new WebDriverWait(driver, Duration.ofSeconds(5)).until(d -> d.findElement(By.id("g-side")).getText().contains("Degraded"));
    screenshot("graph");
  }

  @Test
  void aTraceOpensAsATimelineWithItsSpans() throws Exception {
    driver.get(base + "#/traces?service=vote&lookback=1h");
    new WebDriverWait(driver, Duration.ofSeconds(15)).until(d -> !d.findElements(By.cssSelector(".result")).isEmpty());
    assertThat(driver.findElements(By.cssSelector("#scatter circle"))).hasSize(1);
    screenshot("trace-search");
    driver.findElement(By.cssSelector(".result")).click();
    new WebDriverWait(driver, Duration.ofSeconds(15)).until(d -> d.findElements(By.cssSelector(".span-row")).size() == 3);
    var rows = driver.findElements(By.cssSelector(".span-row")).stream().map(e -> e.getText()).toList();
    assertThat(rows.get(0)).contains("istio-ingressgateway");
    assertThat(rows.get(2)).contains("redis RPUSH");
    assertThat(driver.findElements(By.cssSelector(".bar.err"))).hasSize(1);
    driver.findElements(By.cssSelector(".span-row")).get(2).click();
    assertThat(driver.findElements(By.cssSelector(".span-detail")).get(2).getText()).contains("component").contains("istio.namespace");
    screenshot("trace");
    driver.get(base + "#/deps");
    new WebDriverWait(driver, Duration.ofSeconds(15)).until(d -> !d.findElements(By.cssSelector("#deps-svg")).isEmpty());
    assertThat(driver.findElement(By.id("deps-svg")).getText()).contains("istio-ingressgateway").contains("vote");
    screenshot("dependencies");
  }
}
