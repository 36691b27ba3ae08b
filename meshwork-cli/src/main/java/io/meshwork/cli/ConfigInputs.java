package io.meshwork.cli;

import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.config.codec.LoadedDocument;
import io.meshwork.config.codec.UnreadableInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the {@code -f} inputs of validate, analyze and apply: files, directories (recursively,
 * {@code .yaml .yml .json}) and {@code -} for standard input. Unreadable input is a
 * {@link UserException} with exit code 2; a file with no documents is reported, not skipped.
 */
final class ConfigInputs {
  /** One input file's outcome: its documents, or the note that it had none. */
  record FileResult(String file, List<LoadedDocument> documents) {}

  private ConfigInputs() {}

  static List<FileResult> read(List<String> paths, InputStream stdin) {
    if (paths == null || paths.isEmpty()) {
      throw new UserException(2, "no input: give one or more -f FILE|DIR|- arguments");
    }
    var loader = ConfigLoader.create();
    var out = new ArrayList<FileResult>();
    try {
      for (var p : paths) {
        if (p.equals("-")) {
          var text = ConfigLoader.decode("standard input", stdin.readAllBytes());
          out.add(new FileResult("-", loader.loadText("-", text)));
          continue;
        }
        var path = Path.of(p);
        if (!Files.exists(path)) {
          throw new UserException(2, p + " does not exist");
        }
        if (Files.isDirectory(path)) {
          var docs = loader.loadPath(path);
          var byFile = new java.util.LinkedHashMap<String, List<LoadedDocument>>();
          for (var d : docs) {
            byFile.computeIfAbsent(d.source().source(), k -> new ArrayList<>()).add(d);
          }
          if (byFile.isEmpty()) {
            out.add(new FileResult(p, List.of()));
          }
          byFile.forEach((f, ds) -> out.add(new FileResult(f, ds)));
        } else {
          if (!Files.isReadable(path)) {
            throw new UserException(2, p + " is not readable (check its permissions)");
          }
          out.add(new FileResult(p, loader.loadPath(path)));
        }
      }
    } catch (UnreadableInputException e) {
      throw new UserException(2, e.getMessage());
    } catch (IOException e) {
      throw new UserException(2, "cannot read the input: " + e.getMessage());
    }
    return out;
  }
}
