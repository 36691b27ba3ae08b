/**
 * Span ingest: decoders for OTLP (protobuf and JSON) and Zipkin v2 JSON into the store's
 * {@link io.meshwork.console.trace.Span}, and the OTLP/gRPC receiver. The OTLP protobuf messages
 * are read field by field with protobuf's {@code CodedInputStream} rather than generated classes,
 * which keeps the console on the project's protobuf 3 runtime and avoids building message objects.
 */
package io.meshwork.console.ingest;
