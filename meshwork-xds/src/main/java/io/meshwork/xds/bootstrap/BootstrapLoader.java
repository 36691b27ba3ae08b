package io.meshwork.xds.bootstrap;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.meshwork.config.schema.FieldPath;
import io.meshwork.xds.EnvoyTypes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads an Envoy v3 bootstrap in Envoy's own YAML (or JSON) shape into a {@link Bootstrap} proto.
 * Unknown fields, wrong types, unknown {@code @type}s and conflicting oneof members are reported
 * with their field path before anything is built; the proto is produced by protobuf's JSON mapping
 * so that field names and well-known types behave exactly as in Envoy.
 */
public final class BootstrapLoader {
  private static final ObjectMapper YAML = new ObjectMapper(
      YAMLFactory.builder().build()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final ObjectMapper JSON = new ObjectMapper();

  private BootstrapLoader() {}

  /** Loads a file; the file name is used in every error message. */
  public static Bootstrap load(Path file) throws BootstrapException {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new BootstrapException(file.toString(), List.of("file not found; pass an existing bootstrap file with --bootstrap"));
    } catch (IOException e) {
      throw new BootstrapException(file.toString(), List.of("cannot read the file (" + e.getMessage() + ")"));
    }
    return parse(file.toString(), text);
  }

  /** Jackson's YAML messages quote the input around the error over several lines; keep the sentences. */
  private static String summary(String message) {
    var parts = message.lines()
        .filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)) && !l.startsWith("in '")
            && !l.contains(" in 'reader'"))
        .map(String::strip)
        .toList();
    return parts.isEmpty() ? message.strip() : String.join("; ", parts);
  }

  /** Parses bootstrap text; {@code source} names it in error messages. */
  public static Bootstrap parse(String source, String text) throws BootstrapException {
    JsonNode tree;
    try {
      tree = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      var where = loc == null ? "" : "line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ": ";
      throw new BootstrapException(source, List.of(where + "not valid YAML (" + summary(e.getOriginalMessage()) + ")"));
    }
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      throw new BootstrapException(source, List.of("the file is empty; expected node, admin and static_resources"));
    }
    var checker = new ProtoJsonChecker();
    checker.check(tree, Bootstrap.getDescriptor(), FieldPath.root());
    if (!checker.problems().isEmpty()) {
      throw new BootstrapException(source, checker.problems());
    }
    var builder = Bootstrap.newBuilder();
    try {
      JsonFormat.parser().usingTypeRegistry(EnvoyTypes.registry()).merge(JSON.writeValueAsString(tree), builder);
    } catch (InvalidProtocolBufferException | JsonProcessingException e) {
      throw new BootstrapException(source, List.of("cannot be read as an Envoy v3 Bootstrap (" + e.getMessage() + ")"));
    }
    return builder.build();
  }
}
