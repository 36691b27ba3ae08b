package io.meshwork.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.config.codec.ConfigLoader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * {@code meshwork proxy-config secret PROXY}: the secrets a proxy holds, read from the proxy itself
 * (its admin {@code /config_dump}, section {@code envoy.admin.v3.SecretsConfigDump}) as istioctl
 * does, because certificates are made by the proxy's agent and the control plane never sees the
 * proxy's copy. The proxy's admin address comes from {@code --admin} or from the node metadata the
 * proxy sent the control plane ({@code /debug/targets}). Private keys never leave the proxy: its
 * dump carries {@code "[redacted]"} in their place.
 */
final class ProxySecrets {
  private static final String SECRETS_DUMP = "type.googleapis.com/envoy.admin.v3.SecretsConfigDump";
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** The admin address of the proxy the user named (id, a unique part of it, or WORKLOAD.NAMESPACE). */
  static String adminAddress(ControlPlaneClient cp, String proxy) {
    JsonNode found = null;
    for (var t : cp.require("/debug/targets")) {
      var id = t.path("id").asText();
      if (id.equals(proxy)) {
        found = t;
        break;
      }
      if (id.contains(proxy) || (t.path("workload").asText() + "." + t.path("namespace").asText()).equals(proxy)) {
        found = t;
      }
    }
    if (found == null) {
      throw new UserException(1, "no connected proxy \"" + proxy + "\"; 'meshwork proxy-status' lists them");
    }
    var admin = found.path("admin");
    if (admin.isNull() || admin.asText().isBlank()) {
      throw new UserException(1, "proxy " + found.path("id").asText() + " did not report an admin address;"
          + " pass its admin interface with --admin HOST:PORT");
    }
    return admin.asText();
  }

  /** The {@code SecretsConfigDump} section of the proxy's {@code /config_dump} (empty object if it has none). */
  JsonNode fetch(String admin) {
    var base = admin.startsWith("http://") ? admin : "http://" + admin;
    var req = HttpRequest.newBuilder(URI.create(base + "/config_dump")).timeout(Duration.ofSeconds(30)).GET().build();
    try {
      var resp = http.send(req, HttpResponse.BodyHandlers.ofString());
      if (resp.statusCode() != 200) {
        throw new UserException(1, "the proxy's admin interface at " + base + " answered HTTP " + resp.statusCode() + " to /config_dump");
      }
      for (var c : ConfigLoader.JSON.readTree(resp.body()).path("configs")) {
        if (SECRETS_DUMP.equals(c.path("@type").asText())) {
          return c;
        }
      }
      return ConfigLoader.JSON.createObjectNode().put("@type", SECRETS_DUMP);
    } catch (ConnectException e) {
      throw new UserException(2, "cannot reach the proxy's admin interface at " + base + "; check --admin (or the proxy's --admin address)");
    } catch (IOException e) {
      throw new UserException(2, "the proxy's admin interface at " + base + " did not answer: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserException(2, "interrupted");
    }
  }

  /** istioctl's table, plus the identity each certificate carries (the leaf's URI SAN, the root's subject). */
  static List<List<String>> table(JsonNode dump, Instant now) {
    var rows = new ArrayList<List<String>>();
    rows.add(List.of("RESOURCE NAME", "TYPE", "STATUS", "VALID CERT", "SERIAL NUMBER", "NOT AFTER", "NOT BEFORE", "IDENTITY"));
    addRows(rows, dump.path("dynamic_active_secrets"), "ACTIVE", now);
    addRows(rows, dump.path("dynamic_warming_secrets"), "WARMING", now);
    return rows;
  }

  private static void addRows(List<List<String>> rows, JsonNode secrets, String status, Instant now) {
    for (var s : secrets) {
      var secret = s.path("secret");
      var name = s.path("name").asText(secret.path("name").asText());
      String type;
      String pem;
      if (secret.has("tls_certificate")) {
        type = "Cert Chain";
        pem = inline(secret.path("tls_certificate").path("certificate_chain"));
      } else if (secret.has("validation_context")) {
        type = "CA";
        pem = inline(secret.path("validation_context").path("trusted_ca"));
      } else {
        rows.add(List.of(name, "-", status, "false", "-", "-", "-", "-"));
        continue;
      }
      var certs = certificates(pem);
      if (certs.isEmpty()) {
        rows.add(List.of(name, type, status, "false", "-", "-", "-", "-"));
        continue;
      }
      var c = certs.getFirst();
      var notBefore = c.getNotBefore().toInstant();
      var notAfter = c.getNotAfter().toInstant();
      boolean valid = !now.isBefore(notBefore) && !now.isAfter(notAfter);
      rows.add(List.of(name, type, status, Boolean.toString(valid), c.getSerialNumber().toString(16), notAfter.toString(),
          notBefore.toString(), identity(c, type)));
    }
  }

  private static String inline(JsonNode source) {
    if (source.has("inline_bytes")) {
      return new String(Base64.getDecoder().decode(source.path("inline_bytes").asText()), StandardCharsets.UTF_8);
    }
    return source.path("inline_string").asText("");
  }

  private static List<X509Certificate> certificates(String pem) {
    try {
      var out = new ArrayList<X509Certificate>();
      for (var c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
        out.add((X509Certificate) c);
      }
      return out;
    } catch (CertificateException e) {
      return List.of();
    }
  }

  private static String identity(X509Certificate c, String type) {
    try {
      var sans = c.getSubjectAlternativeNames();
      if (sans != null) {
        var uris = new ArrayList<String>();
        for (var san : sans) {
          if (((Integer) san.get(0)) == 6) {
            uris.add(san.get(1).toString());
          }
        }
        if (!uris.isEmpty()) {
          return String.join(",", uris);
        }
      }
    } catch (java.security.cert.CertificateParsingException e) {
      // fall through to the subject
    }
    var subject = c.getSubjectX500Principal().getName();
    return subject.isEmpty() ? "-" : subject;
  }
}
