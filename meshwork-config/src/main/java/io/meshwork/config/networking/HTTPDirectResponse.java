package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.Base64;

/** Answers with a fixed status and body instead of forwarding. */
public record HTTPDirectResponse(@Required Integer status, HTTPBody body) implements Validatable {
  static final int MAX_BODY = 1024 * 1024;
  static final int WARN_BODY = 100 * 1024;

  /** A body given as text or as base64 bytes (a oneof). */
  public record HTTPBody(String string, String bytes) implements Validatable {
    @Override
    public void validate(Validation v) {
      if (string != null && bytes != null) {
        v.invalidObject("only one of string or bytes can be set");
      }
      if (bytes != null) {
        try {
          Base64.getDecoder().decode(bytes);
        } catch (IllegalArgumentException e) {
          v.invalid("bytes", bytes, "bytes must be base64-encoded");
        }
      }
    }

    int size() {
      if (string != null) {
        return string.length();
      }
      return bytes == null ? 0 : bytes.length() * 3 / 4;
    }
  }

  @Override
  public void validate(Validation v) {
    if (status < 200 || status > 599) {
      v.invalid("status", status, "HTTP status " + status + " is not in range 200-599");
    }
    if (body != null && body.size() > MAX_BODY) {
      v.invalid(v.at("body"), "body", "large direct_responses may impact control plane performance, must be less than 1MB");
    } else if (body != null && body.size() > WARN_BODY) {
      v.warn(v.at("body"), "large direct_responses may impact control plane performance");
    }
  }
}
