package io.meshwork.config.gatewayapi;

import io.meshwork.config.schema.Constraints.MaxItems;
import io.meshwork.config.schema.Constraints.MaxLength;
import io.meshwork.config.schema.Constraints.MinLength;
import io.meshwork.config.schema.Constraints.Pattern;
import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;

/**
 * Adds, sets and removes request or response headers. Header names are case-insensitive and may
 * appear only once across each list.
 */
public record HTTPHeaderFilter(
    @MaxItems(16) List<HTTPHeader> set,
    @MaxItems(16) List<HTTPHeader> add,
    @MaxItems(16) List<@MinLength(1) @MaxLength(256) @Pattern(Names.HEADER_NAME) String> remove) implements Validatable {

  /** A header name and value. */
  public record HTTPHeader(
      @Required @MinLength(1) @MaxLength(256) @Pattern(Names.HEADER_NAME) String name,
      @Required @MinLength(1) @MaxLength(4096) String value) {}

  @Override
  public void validate(Validation v) {
    unique(v, "set", set.stream().map(HTTPHeader::name).toList());
    unique(v, "add", add.stream().map(HTTPHeader::name).toList());
    unique(v, "remove", remove);
  }

  private static void unique(Validation v, String field, List<String> names) {
    var seen = new HashSet<String>();
    for (int i = 0; i < names.size(); i++) {
      if (!seen.add(names.get(i).toLowerCase(Locale.ROOT))) {
        v.duplicate(v.at(field).index(i), names.get(i));
      }
    }
  }
}
