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
 * A Kubernetes Secret (fields at the top level). Gateways name one with {@code tls.credentialName},
 * read as istiod reads it, by its keys rather than its type: {@code tls.crt} and {@code tls.key}
 * (a {@code kubernetes.io/tls} Secret) or else Istio's generic form {@code cert} and {@code key}
 * (an {@code Opaque} Secret); the client CA of MUTUAL servers is {@code cacert}, else {@code ca.crt}
 * (of this Secret, or of a separate {@code NAME-cacert} Secret). The control plane serves them over
 * SDS as {@code kubernetes://NAME} and {@code kubernetes://NAME-cacert}. Values
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
  /** Istio's generic (Opaque) form: certificate chain, private key and CA bundle. */
  public static final String GENERIC_CERT = "cert";
  public static final String GENERIC_KEY = "key";
  public static final String GENERIC_CA = "cacert";
  /** Every key a gateway credential is read from; other keys of a Secret are never needed. */
  public static final java.util.List<String> CREDENTIAL_KEYS = java.util.List.of(CERT, KEY, CA, GENERIC_CERT, GENERIC_KEY, GENERIC_CA);

  /** A certificate and its private key, with the Secret keys they were read from (for messages). */
  public record KeyPair(String certField, String keyField, String chain, String key) {
    @Override
    public String toString() {
      return "KeyPair[" + certField + ", " + keyField + "]"; // never the key
    }
  }

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

  /** Whether this Secret is of type {@code kubernetes.io/tls}. */
  public boolean tls() {
    return TLS.equals(type);
  }

  /**
   * The gateway certificate, as istiod extracts it: {@code tls.crt}/{@code tls.key} when both are
   * set, else {@code cert}/{@code key}; null when neither pair is complete.
   */
  public KeyPair keyPair() {
    var values = values();
    for (var pair : java.util.List.of(java.util.List.of(CERT, KEY), java.util.List.of(GENERIC_CERT, GENERIC_KEY))) {
      var chain = values.get(pair.get(0));
      var key = values.get(pair.get(1));
      if (chain != null && !chain.isBlank() && key != null && !key.isBlank()) {
        return new KeyPair(pair.get(0), pair.get(1), chain, key);
      }
    }
    return null;
  }

  /** The client CA bundle, as istiod extracts it: {@code cacert}, else {@code ca.crt}; null when neither is set. */
  public String caBundle() {
    var values = values();
    for (var k : java.util.List.of(GENERIC_CA, CA)) {
      var v = values.get(k);
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }

  /** Whether this Secret holds any key a gateway credential is read from. */
  public boolean credential() {
    return values().keySet().stream().anyMatch(CREDENTIAL_KEYS::contains);
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
    if (tls()) {
      validatePair(v, CERT, KEY);
    } else if (!credential()) {
      v.warn(v.at("type"), "only Secrets with tls.crt and tls.key (kubernetes.io/tls) or cert and key (Opaque), or a CA bundle under"
          + " cacert or ca.crt, are served to gateways (tls.credentialName); this one is stored only");
      return;
    } else if (values().containsKey(GENERIC_CERT) || values().containsKey(GENERIC_KEY)) {
      validatePair(v, GENERIC_CERT, GENERIC_KEY);
    } else if (values().containsKey(CERT) || values().containsKey(KEY)) {
      validatePair(v, CERT, KEY); // istiod reads tls.crt/tls.key from a Secret of any type
    }
    var values = values();
    for (var k : java.util.List.of(GENERIC_CA, CA)) {
      var ca = values.get(k);
      if (ca != null && !ca.isBlank()) {
        var caProblem = PemCheck.certificates(ca);
        if (caProblem != null) {
          v.invalid(v.at("data").key(k), HIDDEN, caProblem);
        }
      }
    }
  }

  /** Both keys of a pair are required and must hold a certificate chain and the private key of its first certificate. */
  private void validatePair(Validation v, String certField, String keyField) {
    var values = values();
    var cert = values.get(certField);
    var key = values.get(keyField);
    var form = tls() ? "a kubernetes.io/tls Secret" : "a generic (Opaque) gateway Secret";
    if (cert == null || cert.isBlank()) {
      v.required(v.at("data").key(certField), form + " needs the PEM certificate chain under data." + certField + " (base64) or stringData."
          + certField);
    }
    if (key == null || key.isBlank()) {
      v.required(v.at("data").key(keyField), form + " needs the PEM private key under data." + keyField + " (base64) or stringData." + keyField);
    }
    if (cert == null || key == null || cert.isBlank() || key.isBlank()) {
      return;
    }
    var problem = PemCheck.certificateAndKey(cert, key, certField, keyField);
    if (problem != null) {
      v.invalid(v.at("data").key(problem.field()), HIDDEN, problem.detail());
    }
  }

  /** What {@code get} shows in place of a private key. */
  public static final String REDACTED = "REDACTED";

  /**
   * A resource as JSON for display ({@code get}, the REST API, the console): a Secret's
   * {@code tls.key} and {@code key} (in {@code data} and {@code stringData}) are replaced by {@value #REDACTED}, so the
   * private key never leaves the control plane except to the gateways it is served to. Other kinds
   * are returned as they are.
   */
  public static com.fasterxml.jackson.databind.node.ObjectNode forDisplay(io.meshwork.config.Resource r) {
    var json = r.toJson();
    if (r.spec() instanceof Secret) {
      for (var field : java.util.List.of("data", "stringData")) {
        if (json.get(field) instanceof com.fasterxml.jackson.databind.node.ObjectNode values) {
          for (var k : java.util.List.of(KEY, GENERIC_KEY)) {
            if (values.has(k)) {
              values.put(k, REDACTED);
            }
          }
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
