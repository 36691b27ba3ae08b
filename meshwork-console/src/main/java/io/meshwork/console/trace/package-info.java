/**
 * The trace model and the bounded in-memory trace store, with optional append-only persistence.
 * Spans are kept in the shape the query API needs (microseconds, hex ids, flat tags) so queries do
 * no conversion.
 */
package io.meshwork.console.trace;
