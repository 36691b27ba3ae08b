package io.meshwork.config.networking;

import java.util.List;
import java.util.Map;

/**
 * Header changes applied to requests and responses. Which names may be changed differs between
 * requests and responses, so the owning route checks them ({@link NetRules#checkHeaders}).
 */
public record Headers(HeaderOperations request, HeaderOperations response) {

  /** Set (overwrite), add (append) and remove headers. */
  public record HeaderOperations(Map<String, String> set, Map<String, String> add, List<String> remove) {}
}
