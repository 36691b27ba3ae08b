package io.meshwork.config.types;

/**
 * Kubernetes' int-or-string ({@code targetPort: 9080} or {@code targetPort: http}): a port number or
 * the name of a container port. Exactly one of the two is set.
 */
public record IntOrString(Integer intValue, String strValue) {

  public IntOrString {
    if ((intValue == null) == (strValue == null)) {
      throw new IllegalArgumentException("an int-or-string holds either a number or a string");
    }
  }

  public static IntOrString of(int value) {
    return new IntOrString(value, null);
  }

  public static IntOrString of(String value) {
    return new IntOrString(null, value);
  }

  public boolean isInt() {
    return intValue != null;
  }

  @Override
  public String toString() {
    return isInt() ? intValue.toString() : strValue;
  }
}
