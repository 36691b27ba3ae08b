package io.meshwork.config.telemetry;

import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.List;

/**
 * Access logging settings: which providers log, for which traffic direction, and an optional CEL
 * filter deciding per request whether to log.
 *
 * @param match the traffic direction
 * @param providers the log providers ({@code envoy} writes to stdout)
 * @param disabled turn access logs off for this scope
 * @param filter log only requests for which the expression is true
 */
public record AccessLogging(LogSelector match, List<ProviderRef> providers, Boolean disabled, Filter filter) {

  /** The traffic direction an access log setting applies to. */
  public record LogSelector(WorkloadMode mode) {}

  /** A CEL expression over request attributes, such as {@code response.code >= 400}. */
  public record Filter(@Required String expression) implements Validatable {
    @Override
    public void validate(Validation v) {
      if (expression.isBlank()) {
        v.required(v.at("expression"), "an access log filter needs a CEL expression such as response.code >= 400");
      } else if (!balanced(expression)) {
        v.invalid(v.at("expression"), expression, "not a valid CEL expression: unbalanced parentheses, brackets or quotes");
      }
    }

    /** A cheap syntax check: brackets and quotes balance (Meshwork's CEL evaluator checks the rest when it compiles the filter). */
    static boolean balanced(String s) {
      var stack = new StringBuilder();
      char quote = 0;
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (quote != 0) {
          if (c == '\\') {
            i++;
          } else if (c == quote) {
            quote = 0;
          }
          continue;
        }
        switch (c) {
          case '\'', '"' -> quote = c;
          case '(', '[', '{' -> stack.append(c);
          case ')', ']', '}' -> {
            char open = c == ')' ? '(' : c == ']' ? '[' : '{';
            if (stack.isEmpty() || stack.charAt(stack.length() - 1) != open) {
              return false;
            }
            stack.setLength(stack.length() - 1);
          }
          default -> {}
        }
      }
      return quote == 0 && stack.isEmpty();
    }
  }
}
