package io.meshwork.security.authz;

/**
 * How request paths are normalized before policies see them, named after Istio's
 * {@code meshConfig.pathNormalization}. The proxy must forward the normalized path too, so the
 * policy and the application judge the same string.
 */
public enum PathNormalization {
  /** No normalization at all (Istio's NONE); only for backends that do their own and are trusted to agree. */
  NONE,
  /** RFC 3986: decode percent-encoded unreserved characters, resolve {@code .} and {@code ..}, backslash to slash. */
  BASE,
  /** BASE, then merge repeated slashes. Meshwork's default. */
  MERGE_SLASHES,
  /** Also decode {@code %2F} and {@code %5C} to separators before the BASE steps, for backends that decode them. */
  DECODE_AND_MERGE_SLASHES
}
