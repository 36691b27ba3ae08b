package io.meshwork.security.authz;

import static io.meshwork.security.authz.PathNormalization.BASE;
import static io.meshwork.security.authz.PathNormalization.DECODE_AND_MERGE_SLASHES;
import static io.meshwork.security.authz.PathNormalization.MERGE_SLASHES;
import static io.meshwork.security.authz.PathNormalization.NONE;
import static io.meshwork.security.authz.PathNormalizer.normalize;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PathNormalizerTest {
  @Test
  void resolvesDotSegmentsAndNeverClimbsAboveRoot() {
    assertThat(normalize("/public/../admin", MERGE_SLASHES)).isEqualTo("/admin");
    assertThat(normalize("/./admin", MERGE_SLASHES)).isEqualTo("/admin");
    assertThat(normalize("/admin/.", MERGE_SLASHES)).isEqualTo("/admin/");
    assertThat(normalize("/../../admin", MERGE_SLASHES)).isEqualTo("/admin");
    assertThat(normalize("/a/b/..", MERGE_SLASHES)).isEqualTo("/a/");
    assertThat(normalize("/", MERGE_SLASHES)).isEqualTo("/");
    assertThat(normalize("/..", MERGE_SLASHES)).isEqualTo("/");
  }

  @Test
  void decodesUnreservedOnlyAndOnce() {
    assertThat(normalize("/%61dmin", MERGE_SLASHES)).isEqualTo("/admin");
    assertThat(normalize("/%2e%2e/admin", MERGE_SLASHES)).isEqualTo("/admin");
    assertThat(normalize("/p/%2E%2E/admin", MERGE_SLASHES)).isEqualTo("/admin");
    assertThat(normalize("/a%7eb%5f", MERGE_SLASHES)).isEqualTo("/a~b_");
    assertThat(normalize("/a%3fb", MERGE_SLASHES)).isEqualTo("/a%3Fb");
    assertThat(normalize("/a%2fb", MERGE_SLASHES)).isEqualTo("/a%2Fb");
    assertThat(normalize("/%252e%252e/admin", MERGE_SLASHES)).isEqualTo("/%252e%252e/admin");
  }

  @Test
  void slashesBackslashesAndEncodedSeparatorsPerMode() {
    assertThat(normalize("//admin", MERGE_SLASHES)).isEqualTo("/admin");
    assertThat(normalize("//admin", BASE)).isEqualTo("//admin");
    assertThat(normalize("/a//b///c", MERGE_SLASHES)).isEqualTo("/a/b/c");
    assertThat(normalize("/public\\..\\admin", MERGE_SLASHES)).isEqualTo("/admin");
    assertThat(normalize("/public%2F..%2Fadmin", MERGE_SLASHES)).isEqualTo("/public%2F..%2Fadmin");
    assertThat(normalize("/public%2F..%2Fadmin", DECODE_AND_MERGE_SLASHES)).isEqualTo("/admin");
    assertThat(normalize("/public%5C..%5Cadmin", DECODE_AND_MERGE_SLASHES)).isEqualTo("/admin");
    assertThat(normalize("/public/../admin", NONE)).isEqualTo("/public/../admin");
  }

  @Test
  void caseIsPreservedAndQueryCut() {
    assertThat(normalize("/Admin", MERGE_SLASHES)).isEqualTo("/Admin");
    assertThat(normalize("/admin?x=/../y#frag", MERGE_SLASHES)).isEqualTo("/admin");
    assertThat(normalize("/admin#x", MERGE_SLASHES)).isEqualTo("/admin");
  }

  @Test
  void theForwardedTargetKeepsTheQuery() {
    assertThat(PathNormalizer.normalizeTarget("/public/../admin?x=/../y&z=%2F#frag", MERGE_SLASHES)).isEqualTo("/admin?x=/../y&z=%2F");
    assertThat(PathNormalizer.normalizeTarget("//a/./b", MERGE_SLASHES)).isEqualTo("/a/b");
    assertThat(PathNormalizer.normalizeTarget("/a#x?y", MERGE_SLASHES)).isEqualTo("/a");
    assertThat(PathNormalizer.normalizeTarget("/%zz?q", MERGE_SLASHES)).isNull();
  }

  @Test
  void malformedPathsAreRejected() {
    assertThat(normalize("/%zzadmin", MERGE_SLASHES)).isNull();
    assertThat(normalize("/admin%2", MERGE_SLASHES)).isNull();
    assertThat(normalize("admin", MERGE_SLASHES)).isNull();
    assertThat(normalize("/ad\u0000min", MERGE_SLASHES)).isNull();
    assertThat(normalize("/ad\nmin", NONE)).isNull();
    assertThat(normalize("", MERGE_SLASHES)).isNull();
  }
}
