package io.meshwork.cli;

import java.io.PrintWriter;
import java.util.List;

/** Plain column-aligned tables, as kubectl and istioctl print them. */
final class Tables {
  private Tables() {}

  static void print(PrintWriter out, List<List<String>> rows) {
    int cols = rows.getFirst().size();
    var widths = new int[cols];
    for (var r : rows) {
      for (int i = 0; i < cols; i++) {
        widths[i] = Math.max(widths[i], r.get(i).length());
      }
    }
    for (var r : rows) {
      var sb = new StringBuilder();
      for (int i = 0; i < cols; i++) {
        sb.append(r.get(i));
        if (i < cols - 1) {
          sb.append(" ".repeat(widths[i] - r.get(i).length() + 3));
        }
      }
      out.println(sb.toString().stripTrailing());
    }
  }
}
