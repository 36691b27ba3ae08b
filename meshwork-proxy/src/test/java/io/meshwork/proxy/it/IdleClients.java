package io.meshwork.proxy.it;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;

/**
 * A separate process holding N idle client connections to a proxy, so that a test's JVM only pays
 * the proxy's side in file descriptors and heap (10,000 connections need 20,000 descriptors in one
 * process, the whole {@code ulimit -n} of this machine). JDK classes only, so the child needs no
 * class path but its own directory. Protocol on stdin/stdout: it prints {@code open N} once every
 * connection is established; {@code probe K} sends a GET on connection K and prints the status line
 * of the answer; end of input closes everything.
 */
public final class IdleClients {
  private IdleClients() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int n = Integer.parseInt(args[1]);
    var open = new ArrayList<SocketChannel>(n);
    try {
      for (int i = 0; i < n; i++) {
        open.add(SocketChannel.open(new InetSocketAddress("127.0.0.1", port)));
      }
      System.out.println("open " + open.size());
      System.out.flush();
      var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("probe ")) {
          var c = open.get(Integer.parseInt(line.substring(6).trim()));
          c.write(ByteBuffer.wrap("GET /idle HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
          var buf = ByteBuffer.allocate(4096);
          int r = c.read(buf);
          var text = new String(buf.array(), 0, Math.max(r, 0), StandardCharsets.ISO_8859_1);
          int eol = text.indexOf('\r');
          System.out.println(eol < 0 ? "none" : text.substring(0, eol));
          System.out.flush();
        }
      }
    } finally {
      for (var c : open) {
        c.close();
      }
    }
  }
}
