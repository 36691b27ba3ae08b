package io.meshwork.console.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meshwork.console.TestHttp;
import io.meshwork.console.control.MeshFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
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
 * The console's config side in chromium against a live control plane and proxy: config badges
 * on the graph, the services page with the traffic-shifting wizard (weights typed in, YAML
 * previewed, applied, then seen in the control plane's VirtualService and in routed traffic), the
 * config editor showing the analyzer's error inline, and the workloads page. Screenshots go to
 * {@code target/screenshots/}. Skipped without chromium and chromedriver.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class ConsoleWizardBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  private static MeshFixture mesh;
  private static WebDriver driver;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
        "browser tests need Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)");
    mesh = new MeshFixture();
    mesh.scrapeTwice();
    var service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
    var options = new ChromeOptions().setBinary(CHROMIUM.toFile())
        .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000");
    driver = new ChromeDriver(service, options);
    base = "http://127.0.0.1:" + mesh.console.uiPort() + "/";
    Files.createDirectories(Path.of("target/screenshots"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (driver != null) {
      driver.quit();
    }
    if (mesh != null) {
      mesh.close();
    }
  }

  private static void screenshot(String name) throws Exception {
    Files.write(Path.of("target/screenshots/" + name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
  }

  private static WebDriverWait await() {
    return new WebDriverWait(driver, Duration.ofSeconds(15));
  }

  @Test
  @org.junit.jupiter.api.Order(1)
  void graphShowsConfigBadges() throws Exception {
    driver.get(base + "#/graph?namespaces=default&graphType=workload&refresh=0");
    await().until(d -> !d.findElements(By.cssSelector("#graph-svg g.node[data-id='svc:default:vote'] .badge")).isEmpty());
    var badges = new HashSet<String>();
    driver.findElements(By.cssSelector("#graph-svg g.node[data-id='svc:default:vote'] .badge")).forEach(b -> badges.add(b.getDomAttribute("data-badge")));
    assertThat(badges).contains("VS", "CB", "TO");
    assertThat(driver.findElements(By.cssSelector("#graph-svg g.node[data-id='wl:default:redis'] .badge[data-badge='OOM']"))).hasSize(1);
    screenshot("graph-badges");
  }

  @Test
  @org.junit.jupiter.api.Order(3)
  void trafficShiftingWizardAppliesWeightsThatTheProxyFollows() throws Exception {
    driver.get(base + "#/services?namespace=default");
    await().until(d -> !d.findElements(By.cssSelector("tr[data-service='vote'] .wiz-ts")).isEmpty());
    assertThat(driver.findElement(By.cssSelector("tr[data-service='vote']")).getText()).contains("v1", "v2");
    driver.findElement(By.cssSelector("tr[data-service='vote'] .wiz-ts")).click();
    await().until(d -> d.findElements(By.cssSelector(".ts-weight")).size() == 2);
    setWeight("v1", "30");
    setWeight("v2", "70");
    driver.findElement(By.id("wiz-preview")).click();
    await().until(d -> !d.findElements(By.id("wiz-yaml")).isEmpty());
    assertThat(driver.findElement(By.id("wiz-yaml")).getText()).contains("weight: 70", "subset: v2", "kind: DestinationRule");
    screenshot("wizard-preview");
    driver.findElement(By.id("wiz-apply")).click();
    await().until(d -> !d.findElements(By.id("wiz-applied")).isEmpty());
    screenshot("wizard-applied");
    var vs = TestHttp.json("http://127.0.0.1:" + mesh.cp.restPort() + "/apis/networking.istio.io/v1/namespaces/default/virtualservices/vote");
    var routes = vs.path("spec").path("http").get(0).path("route");
    assertThat(routes.get(0).path("weight").asInt()).isEqualTo(30);
    assertThat(routes.get(1).path("weight").asInt()).isEqualTo(70);
    var seen = new HashSet<String>();
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!seen.contains("200 v2") && System.nanoTime() < deadline) {
      seen.add(mesh.callVote());
    }
    assertThat(seen).contains("200 v2");
    // The graph's badge follows: the route is now split.
    driver.get(base + "#/graph?namespaces=default&graphType=workload&refresh=0");
    await().until(d -> !d.findElements(By.cssSelector("#graph-svg g.node[data-id='svc:default:vote'] .badge[data-badge='TS']")).isEmpty());
    screenshot("graph-after-shift");
  }

  @Test
  @org.junit.jupiter.api.Order(2)
  void configEditorShowsTheAnalyzersErrorInline() throws Exception {
    driver.get(base + "#/config?namespace=default&kind=VirtualService&name=vote");
    await().until(d -> !d.findElements(By.id("editor")).isEmpty());
    assertThat(driver.findElement(By.cssSelector("tr.cfg-row[data-name='vote']")).getText()).contains("VirtualService");
    var editor = driver.findElement(By.id("editor"));
    var yaml = editor.getDomProperty("value");
    assertThat(yaml).contains("kind: VirtualService");
    var broken = yaml.replaceAll("subset: v\\d", "subset: v9");
    ((org.openqa.selenium.JavascriptExecutor) driver).executeScript("document.getElementById('editor').value = arguments[0];", broken);
    driver.findElement(By.id("e-validate")).click();
    await().until(d -> !d.findElements(By.cssSelector("#checks li[data-code='MW0102']")).isEmpty());
    assertThat(driver.findElement(By.cssSelector("#checks li[data-code='MW0102']")).getText()).contains("v9");
    screenshot("config-editor");
  }

  @Test
  @org.junit.jupiter.api.Order(4)
  void workloadsPageShowsProxyState() throws Exception {
    driver.get(base + "#/workloads?namespace=default");
    await().until(d -> !d.findElements(By.cssSelector("tr[data-workload='vote-v2']")).isEmpty());
    assertThat(driver.findElement(By.cssSelector("tr[data-workload='vote-v2']")).getText()).contains("missing sidecar");
    screenshot("workloads");
  }

  private static void setWeight(String version, String value) {
    var input = driver.findElement(By.cssSelector(".ts-weight[data-version='" + version + "']"));
    input.clear();
    input.sendKeys(value);
  }
}
