package io.meshwork.config.kube;

import io.meshwork.config.schema.FieldPath;
import io.meshwork.config.schema.Validation;
import io.meshwork.config.types.IntOrString;

/** Kubernetes' name rules that several built-in kinds share (IANA service names for ports). */
final class KubeNames {
  private static final com.google.re2j.Pattern IANA = com.google.re2j.Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
  private static final com.google.re2j.Pattern LETTER = com.google.re2j.Pattern.compile(".*[a-z].*");

  private KubeNames() {}

  /** A port name: at most 15 lowercase letters, digits and single dashes, with at least one letter. */
  static boolean isIanaServiceName(String s) {
    return s.length() <= 15 && IANA.matches(s) && LETTER.matches(s) && !s.contains("--");
  }

  /** A port given as a number (1..65535) or as the name of a container port. */
  static void checkPort(Validation v, FieldPath path, IntOrString port) {
    if (port == null) {
      return;
    }
    if (port.isInt()) {
      if (port.intValue() < 1 || port.intValue() > 65535) {
        v.invalid(path, port.intValue(), "must be between 1 and 65535, inclusive");
      }
    } else if (!isIanaServiceName(port.strValue())) {
      v.invalid(path, port.strValue(),
          "must be a port number or a port name of at most 15 lowercase letters, digits and '-' with at least one letter");
    }
  }
}
