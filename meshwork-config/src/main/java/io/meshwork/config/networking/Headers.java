package io.meshwork.config.networking;

import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.List;
import java.util.Map;

/** Header changes applied to requests and responses. */
public record Headers(HeaderOperations request, HeaderOperations response) {

  /** Set (overwrite), add (append) and remove headers. */
  public record HeaderOperations(Map<String, String> set, Map<String, String> add, List<String> remove) implements Validatable {
    @Override
    public void validate(Validation v) {
      for (var k : set.keySet()) {
        NetRules.checkHeaderOperationName(v, v.at("set").key(k), k, false);
      }
      for (var k : add.keySet()) {
        NetRules.checkHeaderOperationName(v, v.at("add").key(k), k, false);
      }
      for (int i = 0; i < remove.size(); i++) {
        NetRules.checkHeaderOperationName(v, v.at("remove").index(i), remove.get(i), true);
      }
    }
  }
}
