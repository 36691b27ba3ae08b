package io.meshwork.config.analysis;

import io.meshwork.config.Resource;
import java.util.ArrayList;
import java.util.List;

/** Collects findings from analyzers. */
final class Findings {
  private final List<Finding> list = new ArrayList<>();

  void add(Code code, Resource r, String path, String message) {
    add(code, code.severity(), r, path, message);
  }

  void add(Code code, Severity severity, Resource r, String path, String message) {
    list.add(new Finding(code, severity, r.key(), path, message));
  }

  List<Finding> list() {
    return list;
  }
}
