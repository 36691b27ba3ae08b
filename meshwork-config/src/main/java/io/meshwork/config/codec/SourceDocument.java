package io.meshwork.config.codec;

/**
 * One YAML document cut out of a multi-document source.
 *
 * @param source file name (or {@code -} for standard input, or a label)
 * @param index position among the source's non-empty documents, from 0
 * @param line the line of the source on which the document starts, from 1
 * @param text the document's text
 */
public record SourceDocument(String source, int index, int line, String text) {
  /** {@code file#index}, the way validate names a document. */
  public String label() {
    return source + "#" + index;
  }
}
