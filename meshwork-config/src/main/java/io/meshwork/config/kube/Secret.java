package io.meshwork.config.kube;

import io.meshwork.config.schema.Constraints.Lenient;
import io.meshwork.config.schema.FieldError;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Kubernetes Secret (fields at the top level). Gateways name one with {@code tls.credentialName}:
 * a {@code kubernetes.io/tls} Secret holds {@code tls.crt} and {@code tls.key} (and {@code ca.crt}
 * for MUTUAL servers), which the control plane serves over SDS as {@code kubernetes://NAME}. Values
 * in {@code data} are base64; {@code stringData} values are plain and win over {@code data}, as the
 * Kubernetes API server merges them on write.
 *
 * <p>Key material must never reach logs or error messages: {@link #toString()} names the keys only,
 * and validation errors never print a value.
 */
@Lenient
public record Secret(String type, Map<String, String> data, Map<String, String> stringData, Boolean immutable)
    implements Validatable {

  /** The type Istio's gateways read certificates from. */
  public static final String TLS = "kubernetes.io/tls";
  public static final String CERT = "tls.crt";
  public static final String KEY = "tls.key";
  public static final String CA = "ca.crt";

  /** Every key's decoded value ({@code stringData} over base64 {@code data}); an undecodable value is skipped. */
  public Map<String, String> values() {
    var out = new TreeMap<String, String>();
    if (data != null) {
      data.forEach((k, v) -> {
        try {
          out.put(k, decode(v));
        } catch (IllegalArgumentException e) {
          // reported by validate
        }
      });
    }
    if (stringData != null) {
      stringData.forEach((k, v) -> out.put(k, v == null ? "" : v));
    }
    return out;
  }

  /** Strict base64 as the Kubernetes API requires (line breaks allowed). */
  private static String decode(String v) {
    return new String(Base64.getDecoder().decode(v == null ? "" : v.replaceAll("\\s", "")), StandardCharsets.UTF_8);
  }

  /** Whether this Secret can serve a gateway certificate. */
  public boolean tls() {
    return TLS.equals(type);
  }

  @Override
  public void validate(Validation v) {
    if (data != null) {
      for (var e : data.entrySet()) {
        try {
          decode(e.getValue());
        } catch (IllegalArgumentException ex) {
          v.invalid(v.at("data").key(e.getKey()), HIDDEN, "not valid base64; put plain PEM text under stringData instead");
        }
      }
      if (v.errorCount() > 0) {
        return;
      }
    }
    if (!tls()) {
      v.warn(v.at("type"), "only Secrets of type " + TLS + " are served to gateways (tls.credentialName); this one is stored only");
      return;
    }
    var values = values();
    var cert = values.get(CERT);
    var key = values.get(KEY);
    if (cert == null || cert.isBlank()) {
      v.required(v.at("data").key(CERT), "a kubernetes.io/tls Secret needs the PEM certificate chain under data.tls.crt (base64) or stringData.tls.crt");
    }
    if (key == null || key.isBlank()) {
      v.required(v.at("data").key(KEY), "a kubernetes.io/tls Secret needs the PEM private key under data.tls.key (base64) or stringData.tls.key");
    }
    if (cert == null || key == null || cert.isBlank() || key.isBlank()) {
      return;
    }
    var problem = PemCheck.certificateAndKey(cert, key);
    if (problem != null) {
      v.invalid(v.at("data").key(problem.field()), HIDDEN, problem.detail());
    }
    var ca = values.get(CA);
    if (ca != null && !ca.isBlank()) {
      var caProblem = PemCheck.certificates(ca);
      if (caProblem != null) {
        v.invalid(v.at("data").key(CA), HIDDEN, caProblem);
      }
    }
  }

  /** What {@code get} shows in place of a private key. */
  public static final String REDACTED = "REDACTED";

  /**
   * A resource as JSON for display ({@code get}, the REST API, the console): a Secret's
   * {@code tls.key} (in {@code data} and {@code stringData}) is replaced by {@value #REDACTED}, so the
   * private key never leaves the control plane except to the gateways it is served to. Other kinds
   * are returned as they are.
   */
  public static com.fasterxml.jackson.databind.node.ObjectNode forDisplay(io.meshwork.config.Resource r) {
    var json = r.toJson();
    if (r.spec() instanceof Secret) {
      for (var field : java.util.List.of("data", "stringData")) {
        if (json.get(field) instanceof com.fasterxml.jackson.databind.node.ObjectNode values && values.has(KEY)) {
          values.put(KEY, REDACTED);
        }
      }
    }
    return json;
  }

  /** Printed in place of a value: a Secret's values are never echoed. */
  private static final FieldError.Raw HIDDEN = new FieldError.Raw("\"(value not shown)\"");

  @Override
  public String toString() {
    var keys = new TreeMap<String, String>();
    values().keySet().forEach(k -> keys.put(k, "(hidden)"));
    return "Secret[type=" + type + ", keys=" + keys.keySet() + "]";
  }
}
