package io.meshwork.proxy.http;

/**
 * Envoy's response flags as a bit set, printed in Envoy's order ("UF,URX"), "-" when none.
 * UH no healthy upstream, UT upstream request timeout, UR upstream remote reset (the upstream reset
 * the request's HTTP/2 stream: RST_STREAM), UF upstream connect failure, UC upstream connection
 * termination (the connection to the upstream closed under the request), UO overflow (circuit breaker), NR no route, DI delay injected, FI fault
 * (abort) injected, DC downstream connection termination, URX retry limit exceeded, DPE downstream
 * protocol error, UPE upstream protocol error (the upstream's response was not valid HTTP), NC no cluster.
 */
public final class ResponseFlags {
  public static final int UH = 1;
  public static final int UT = 1 << 1;
  public static final int UF = 1 << 2;
  public static final int UC = 1 << 3;
  public static final int UO = 1 << 4;
  public static final int NR = 1 << 5;
  public static final int DC = 1 << 6;
  public static final int URX = 1 << 7;
  public static final int DPE = 1 << 8;
  public static final int NC = 1 << 9;
  public static final int DI = 1 << 10;
  public static final int FI = 1 << 11;
  public static final int UR = 1 << 12;
  public static final int UPE = 1 << 13;

  private static final int[] ORDER = {UH, UT, UR, UF, UC, UO, NR, DI, FI, DC, URX, DPE, UPE, NC};
  private static final String[] NAMES = {"UH", "UT", "UR", "UF", "UC", "UO", "NR", "DI", "FI", "DC", "URX", "DPE", "UPE", "NC"};

  private ResponseFlags() {}

  public static String toString(int flags) {
    if (flags == 0) {
      return "-";
    }
    var sb = new StringBuilder();
    for (int i = 0; i < ORDER.length; i++) {
      if ((flags & ORDER[i]) != 0) {
        if (!sb.isEmpty()) {
          sb.append(',');
        }
        sb.append(NAMES[i]);
      }
    }
    return sb.toString();
  }
}
