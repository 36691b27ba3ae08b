package io.meshwork.proxy.config;

import io.meshwork.proxy.transport.PeerIdentity;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

/**
 * What an RBAC rule may look at: the request head (null on a TCP connection, so HTTP-only rules
 * never match there), the local and peer addresses, the peer's TLS identity and the dynamic
 * metadata earlier filters set (the JWT filter publishes under {@code istio_authn}).
 *
 * @param remote the original client: the right-most {@code x-forwarded-for} address (Envoy with
 *     {@code xff_num_trusted_hops: 0} and {@code use_remote_address: false}, as on Istio's sidecar
 *     inbound), else {@code directRemote}
 */
public record RbacRequest(RequestHead head, InetAddress localAddress, int localPort, InetAddress directRemote,
    InetAddress remote, PeerIdentity peer, Map<String, Object> metadata) {
  public RbacRequest {
    peer = peer == null ? PeerIdentity.NONE : peer;
    metadata = metadata == null ? Map.of() : metadata;
    remote = remote == null ? directRemote : remote;
  }

  /** An address block ({@code CidrRange}): prefix and length; v4 and v6 never match each other. */
  public record Cidr(byte[] prefix, int length) {
    public static Cidr parse(String address, int length, String path) throws ConfigException {
      InetAddress a;
      try {
        if (!address.matches("[0-9a-fA-F:.]+")) {
          throw new UnknownHostException(address);
        }
        a = InetAddress.getByName(address);
      } catch (UnknownHostException e) {
        throw new ConfigException(path + ".address_prefix", "\"" + address + "\" is not an IP address");
      }
      int bits = a.getAddress().length * 8;
      if (length < 0 || length > bits) {
        throw new ConfigException(path + ".prefix_len", length + " is not a prefix length for " + address + " (0.." + bits + ")");
      }
      return new Cidr(a.getAddress(), length);
    }

    public boolean contains(InetAddress addr) {
      if (addr == null) {
        return false;
      }
      var b = addr.getAddress();
      if (b.length != prefix.length) {
        return false;
      }
      if (length == 0) {
        return true;
      }
      int shift = b.length * 8 - length;
      return new BigInteger(1, b).shiftRight(shift).equals(new BigInteger(1, prefix).shiftRight(shift));
    }
  }
}
