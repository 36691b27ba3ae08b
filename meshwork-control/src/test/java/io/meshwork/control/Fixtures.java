package io.meshwork.control;

import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.config.codec.LoadedDocument;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test inputs: YAML text and the Istio corpus under ../shared/testdata. */
public final class Fixtures {
  private Fixtures() {}

  public static List<LoadedDocument> yaml(String text) {
    return ConfigLoader.create().loadText("test.yaml", text);
  }

  public static Path istio(String sub) {
    var prop = System.getProperty("meshwork.testdata");
    Path root = prop != null ? Path.of(prop) : Path.of("..", "..", "shared", "testdata");
    return root.resolve("istio").resolve(sub);
  }

  public static List<LoadedDocument> bookinfo(String... files) throws IOException {
    var out = new ArrayList<LoadedDocument>();
    for (var f : files) {
      out.addAll(ConfigLoader.create().loadPath(istio("bookinfo").resolve(f)));
    }
    return out;
  }

  public static String read(Path p) throws IOException {
    return Files.readString(p);
  }

  public static final String REVIEWS_SVC = """
      apiVersion: v1
      kind: Service
      metadata:
        name: reviews
      spec:
        selector:
          app: reviews
        ports:
        - name: http
          port: 9080
      """;

  public static String vs(String name, String host, String body) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: %s
        spec:
          hosts: [%s]
        %s""".formatted(name, host, body.indent(2));
  }
}
