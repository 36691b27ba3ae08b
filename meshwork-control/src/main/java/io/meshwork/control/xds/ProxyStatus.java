package io.meshwork.control.xds;

import java.util.Map;

/**
 * One connected proxy's sync state, as {@code meshwork proxy-status} shows it.
 *
 * @param types per xDS type ({@code CDS}, {@code EDS}, {@code LDS}, {@code RDS})
 */
public record ProxyStatus(String id, String namespace, String workload, String type, String stream, String connectedAt,
    Map<String, TypeStatus> types) {

  /** One type's state: {@code SYNCED}, {@code STALE}, {@code NACKED} or {@code NOT SENT}; the last NACK's error. */
  public record TypeStatus(String status, String sentVersion, String ackedVersion, String nonce, int resources, String lastNack) {}
}
