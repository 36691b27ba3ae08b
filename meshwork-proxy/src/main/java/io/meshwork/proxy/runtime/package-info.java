/**
 * The live state the request path reads: an immutable {@link io.meshwork.proxy.runtime.Snapshot}
 * (config plus cluster runtimes) behind an atomic reference. An update builds a new snapshot and
 * swaps it in; a request reads the reference once and finishes on what it read.
 */
package io.meshwork.proxy.runtime;
