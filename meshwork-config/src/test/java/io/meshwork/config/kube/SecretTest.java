package io.meshwork.config.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.security.Docs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Gateway certificates as Kubernetes Secrets: validated at apply time, never echoed. */
class SecretTest {
  private static String pem(String name) throws Exception {
    return Files.readString(Path.of(SecretTest.class.getResource("/tls/" + name).toURI()));
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
  }

  private static String secret(String crt, String key) {
    return """
        apiVersion: v1
        kind: Secret
        metadata: {name: cert-a, namespace: istio-system}
        type: kubernetes.io/tls
        data:
          tls.crt: %s
          tls.key: %s
        """.formatted(b64(crt), b64(key));
  }

  @Test
  void aTlsSecretWithMatchingPemIsAcceptedAndDecoded() throws Exception {
    var d = Docs.load(secret(pem("a.example.com.crt"), pem("a.example.com.key")));
    assertThat(d.errors()).isEmpty();
    var s = d.resource().spec(Secret.class);
    assertThat(s.tls()).isTrue();
    assertThat(s.values().get(Secret.CERT)).isEqualTo(pem("a.example.com.crt"));
    assertThat(s.values().get(Secret.KEY)).isEqualTo(pem("a.example.com.key"));
    assertThat(d.resource().namespace()).isEqualTo("istio-system");
  }

  @Test
  void stringDataIsPlainPemAndWinsOverData() throws Exception {
    var yaml = """
        apiVersion: v1
        kind: Secret
        metadata: {name: cert-a}
        type: kubernetes.io/tls
        data:
          tls.crt: %s
          tls.key: %s
        stringData:
          tls.crt: |
        %s
          tls.key: |
        %s
        """.formatted(b64(pem("a.example.com.crt")), b64(pem("a.example.com.key")),
        pem("b.example.com.crt").indent(4).stripTrailing(), pem("b.example.com.key").indent(4).stripTrailing());
    var d = Docs.load(yaml);
    assertThat(d.errors()).isEmpty();
    assertThat(d.resource().spec(Secret.class).values().get(Secret.CERT)).isEqualTo(pem("b.example.com.crt"));
  }

  @Test
  void aKeyOfAnotherCertificateIsRefusedNamingTheFieldWithoutEchoingIt() throws Exception {
    var key = pem("b.example.com.key");
    var d = Docs.load(secret(pem("a.example.com.crt"), key));
    assertThat(d.errors()).singleElement().asString()
        .startsWith("data[tls.key]: Invalid value: \"(value not shown)\": does not match the first certificate of tls.crt (CN=a.example.com)")
        .doesNotContain(key.lines().skip(1).findFirst().orElseThrow());
  }

  @Test
  void missingOrUnreadablePemIsRefusedWithOneSentencePerField() throws Exception {
    var d = Docs.load("""
        apiVersion: v1
        kind: Secret
        metadata: {name: cert-a}
        type: kubernetes.io/tls
        stringData:
          tls.crt: not a certificate
        """);
    assertThat(d.errors()).containsExactly(
        "data[tls.key]: Required value: a kubernetes.io/tls Secret needs the PEM private key under data.tls.key (base64) or stringData.tls.key");
    var pkcs1 = pem("a.example.com.key").replace("BEGIN PRIVATE KEY", "BEGIN EC PRIVATE KEY").replace("END PRIVATE KEY", "END EC PRIVATE KEY");
    assertThat(Docs.load(secret(pem("a.example.com.crt"), pkcs1)).errors()).singleElement().asString()
        .endsWith("is a EC key; convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt)");
    assertThat(Docs.load(secret("garbage", pem("a.example.com.key"))).errors()).singleElement().asString()
        .startsWith("data[tls.crt]: Invalid value: \"(value not shown)\": holds no PEM certificate");
    var bad = secret(pem("a.example.com.crt"), pem("a.example.com.key")).replaceFirst("tls.crt: \\S+", "tls.crt: \"%%%\"");
    assertThat(Docs.load(bad).errors()).containsExactly(
        "data[tls.crt]: Invalid value: \"(value not shown)\": not valid base64; put plain PEM text under stringData instead");
  }

  @Test
  void displayAndToStringNeverShowThePrivateKey() throws Exception {
    var key = pem("a.example.com.key");
    var r = Docs.load(secret(pem("a.example.com.crt"), key)).resource();
    var shown = Secret.forDisplay(r);
    assertThat(shown.at("/data/tls.key").textValue()).isEqualTo(Secret.REDACTED);
    assertThat(shown.at("/data/tls.crt").textValue()).isEqualTo(b64(pem("a.example.com.crt")));
    assertThat(r.spec().toString()).isEqualTo("Secret[type=kubernetes.io/tls, keys=[tls.crt, tls.key]]");
    assertThat(shown.toString()).doesNotContain(b64(key));
  }

  @Test
  void otherSecretTypesAreStoredWithAWarningAndNotChecked() {
    var d = Docs.load("""
        apiVersion: v1
        kind: Secret
        metadata: {name: token}
        type: Opaque
        stringData: {token: abc}
        """);
    assertThat(d.errors()).isEmpty();
    assertThat(d.resource().spec(Secret.class).tls()).isFalse();
  }

  private static String generic(String name, String entries) {
    return """
        apiVersion: v1
        kind: Secret
        metadata: {name: %s, namespace: istio-system}
        type: Opaque
        data:
        %s""".formatted(name, entries.indent(2));
  }

  @Test
  void istiosGenericFormIsReadFromCertKeyAndCacert() throws Exception {
    var d = Docs.load(generic("cert-a", "cert: " + b64(pem("a.example.com.crt")) + "\nkey: " + b64(pem("a.example.com.key"))
        + "\ncacert: " + b64(pem("b.example.com.crt")) + "\nca.crt: " + b64(pem("a.example.com.crt"))));
    assertThat(d.errors()).isEmpty();
    assertThat(d.warnings()).isEmpty();
    var s = d.resource().spec(Secret.class);
    var pair = s.keyPair();
    assertThat(pair.chain()).isEqualTo(pem("a.example.com.crt"));
    assertThat(pair.key()).isEqualTo(pem("a.example.com.key"));
    assertThat(pair.toString()).doesNotContain("PRIVATE");
    assertThat(s.caBundle()).as("cacert wins over ca.crt, as in istiod").isEqualTo(pem("b.example.com.crt"));
    var tls = Docs.load(secret(pem("a.example.com.crt"), pem("a.example.com.key"))).resource().spec(Secret.class);
    assertThat(tls.keyPair().certField()).isEqualTo("tls.crt");
    assertThat(tls.caBundle()).isNull();
  }

  @Test
  void aCaOnlySecretIsAcceptedWithoutWarningAndItsBundleChecked() throws Exception {
    var d = Docs.load(generic("cert-a-cacert", "ca.crt: " + b64(pem("b.example.com.crt"))));
    assertThat(d.errors()).isEmpty();
    assertThat(d.warnings()).isEmpty();
    assertThat(d.resource().spec(Secret.class).keyPair()).isNull();
    assertThat(d.resource().spec(Secret.class).caBundle()).isEqualTo(pem("b.example.com.crt"));
    assertThat(Docs.load(generic("cert-a-cacert", "cacert: " + b64("garbage"))).errors()).containsExactly(
        "data[cacert]: Invalid value: \"(value not shown)\": holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
  }

  @Test
  void aGenericSecretWithAMismatchedOrMissingKeyIsRefusedNamingItsKeys() throws Exception {
    var key = pem("b.example.com.key");
    assertThat(Docs.load(generic("cert-a", "cert: " + b64(pem("a.example.com.crt")) + "\nkey: " + b64(key))).errors()).singleElement()
        .asString().startsWith("data[key]: Invalid value: \"(value not shown)\": does not match the first certificate of cert (CN=a.example.com)")
        .doesNotContain(key.lines().skip(1).findFirst().orElseThrow());
    assertThat(Docs.load(generic("cert-a", "cert: " + b64(pem("a.example.com.crt")))).errors()).containsExactly(
        "data[key]: Required value: a generic (Opaque) gateway Secret needs the PEM private key under data.key (base64) or stringData.key");
  }

  @Test
  void displayRedactsTheGenericKeyToo() throws Exception {
    var key = pem("a.example.com.key");
    var r = Docs.load(generic("cert-a", "cert: " + b64(pem("a.example.com.crt")) + "\nkey: " + b64(key))).resource();
    var shown = Secret.forDisplay(r);
    assertThat(shown.at("/data/key").textValue()).isEqualTo(Secret.REDACTED);
    assertThat(shown.at("/data/cert").textValue()).isEqualTo(b64(pem("a.example.com.crt")));
    assertThat(shown.toString()).doesNotContain(b64(key));
  }
}
