package io.meshwork.proxy.config;

import io.meshwork.security.authz.PathNormalization;

/**
 * The connection manager's path handling ({@code normalize_path}, {@code merge_slashes},
 * {@code path_with_escaped_slashes_action}), kept as the first entry of the filter list because it
 * must run before everything that reads the path: routing, RBAC and the forwarded request all see
 * the normalized path. {@code rejectEscapedSlashes}: {@code REJECT_REQUEST} answers 400 to paths
 * containing {@code %2F} or {@code %5C}.
 */
public record PathNormalizationConfig(PathNormalization mode, boolean rejectEscapedSlashes) implements HttpFilterConfig {
  /**
   * From the HCM fields. Envoy defaults to no normalization; Istio's sidecars set
   * {@code normalize_path} (BASE) and Meshwork's translator also sets {@code merge_slashes}.
   * {@code merge_slashes} without {@code normalize_path} is treated as MERGE_SLASHES (stricter).
   */
  public static PathNormalizationConfig of(
      io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager hcm) {
    var action = hcm.getPathWithEscapedSlashesAction();
    boolean normalize = hcm.hasNormalizePath() && hcm.getNormalizePath().getValue();
    boolean merge = hcm.getMergeSlashes();
    boolean decode = action == io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
        .PathWithEscapedSlashesAction.UNESCAPE_AND_FORWARD
        || action == io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
        .PathWithEscapedSlashesAction.UNESCAPE_AND_REDIRECT;
    boolean reject = action == io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
        .PathWithEscapedSlashesAction.REJECT_REQUEST;
    PathNormalization mode;
    if (decode) {
      mode = PathNormalization.DECODE_AND_MERGE_SLASHES;
    } else if (merge) {
      mode = PathNormalization.MERGE_SLASHES;
    } else if (normalize) {
      mode = PathNormalization.BASE;
    } else {
      mode = PathNormalization.NONE;
    }
    return mode == PathNormalization.NONE && !reject ? null : new PathNormalizationConfig(mode, reject);
  }
}
