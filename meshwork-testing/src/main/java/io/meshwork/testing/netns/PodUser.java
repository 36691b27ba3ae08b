package io.meshwork.testing.netns;

/**
 * Who a command or socket in a pod belongs to: capture rules tell the proxy's traffic from the
 * app's by uid/gid, so tests must be able to be either.
 *
 * @param uid numeric user id (no passwd entry needed)
 * @param gid numeric group id
 */
public record PodUser(int uid, int gid) {
  /** Root: what {@code ip netns exec} gives by default. */
  public static final PodUser ROOT = new PodUser(0, 0);
  /** An ordinary application user. */
  public static final PodUser APP = new PodUser(1000, 1000);
  /** The proxy's user, Istio's 1337, whose traffic the capture rules never touch. */
  public static final PodUser PROXY = new PodUser(1337, 1337);
}
