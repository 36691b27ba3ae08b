package io.meshwork.config.codec;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a multi-document YAML source on {@code ---} lines before parsing, so that one broken
 * document never hides the others, and so that every document knows the line it starts on.
 * Documents holding only comments and blank lines are skipped.
 */
public final class YamlDocuments {
  private YamlDocuments() {}

  public static List<SourceDocument> split(String source, String text) {
    var docs = new ArrayList<SourceDocument>();
    var current = new StringBuilder();
    int startLine = 1;
    int lineNo = 0;
    boolean hasContent = false;
    int pos = 0;
    int n = text.length();
    while (pos <= n) {
      int end = text.indexOf('\n', pos);
      if (end < 0) {
        end = n;
      }
      String line = text.substring(pos, end);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      lineNo++;
      boolean separator = line.startsWith("---") && (line.length() == 3 || Character.isWhitespace(line.charAt(3)));
      boolean terminator = line.equals("...");
      if (separator || terminator) {
        if (hasContent) {
          docs.add(new SourceDocument(source, docs.size(), startLine, current.toString()));
        }
        current.setLength(0);
        hasContent = false;
        startLine = lineNo;
        if (separator && line.length() > 3 && !line.substring(3).isBlank() && !line.substring(3).trim().startsWith("#")) {
          // "--- {a: 1}": the content after the marker belongs to the new document.
          current.append("    ").append(line.substring(4)).append('\n');
          hasContent = true;
        } else {
          current.append('\n');
        }
      } else {
        current.append(line).append('\n');
        if (!hasContent) {
          var t = line.strip();
          if (!t.isEmpty() && !t.startsWith("#")) {
            hasContent = true;
          }
        }
      }
      pos = end + 1;
    }
    if (hasContent) {
      docs.add(new SourceDocument(source, docs.size(), startLine, current.toString()));
    }
    return docs;
  }
}
