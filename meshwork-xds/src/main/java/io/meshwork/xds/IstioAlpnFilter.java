package io.meshwork.xds;

import com.google.protobuf.Any;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Istio's {@code istio.alpn} HTTP filter config ({@code istio.envoy.config.filter.http.alpn.v2alpha1.FilterConfig}):
 * per upstream HTTP protocol, the ALPN list the client sidecar offers on that upstream TLS connection
 * instead of the cluster's. No Java class of it is published, so its descriptor is declared here (as
 * Istio documents the message: {@code alpn_override} = repeated {@code AlpnOverride}, each an
 * {@code upstream_protocol} enum HTTP10/HTTP11/HTTP2 and a repeated string {@code alpn_override}); the
 * control plane writes it with {@link #any}, the proxy reads it with {@link #overrides}, and
 * {@link EnvoyTypes} knows it, so config dumps and YAML bootstraps print and parse it.
 */
public final class IstioAlpnFilter {
  /** The HTTP filter's name in Istio's outbound connection managers. */
  public static final String NAME = "istio.alpn";
  /** Istio's HTTP/1.0, HTTP/1.1 and HTTP/2 overrides; {@code istio} is kept for older servers. */
  public static final List<String> HTTP10 = List.of("istio-http/1.0", "istio");
  public static final List<String> HTTP11 = List.of("istio-http/1.1", "istio");
  public static final List<String> HTTP2 = List.of("istio-h2", "istio");

  /** The upstream protocols the filter maps (the enum's values, in its order). */
  public enum Protocol { HTTP10, HTTP11, HTTP2 }

  private static final String PACKAGE = "istio.envoy.config.filter.http.alpn.v2alpha1";
  private static final Descriptor CONFIG;
  private static final Descriptor OVERRIDE;
  private static final EnumDescriptor PROTOCOL;

  static {
    var protocol = EnumDescriptorProto.newBuilder().setName("Protocol");
    for (var p : Protocol.values()) {
      protocol.addValue(EnumValueDescriptorProto.newBuilder().setName(p.name()).setNumber(p.ordinal()));
    }
    var override = DescriptorProto.newBuilder().setName("AlpnOverride")
        .addField(FieldDescriptorProto.newBuilder().setName("upstream_protocol").setNumber(1)
            .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL).setType(FieldDescriptorProto.Type.TYPE_ENUM)
            .setTypeName("." + PACKAGE + ".FilterConfig.Protocol").setJsonName("upstreamProtocol"))
        .addField(FieldDescriptorProto.newBuilder().setName("alpn_override").setNumber(2)
            .setLabel(FieldDescriptorProto.Label.LABEL_REPEATED).setType(FieldDescriptorProto.Type.TYPE_STRING)
            .setJsonName("alpnOverride"));
    var config = DescriptorProto.newBuilder().setName("FilterConfig").addEnumType(protocol).addNestedType(override)
        .addField(FieldDescriptorProto.newBuilder().setName("alpn_override").setNumber(1)
            .setLabel(FieldDescriptorProto.Label.LABEL_REPEATED).setType(FieldDescriptorProto.Type.TYPE_MESSAGE)
            .setTypeName("." + PACKAGE + ".FilterConfig.AlpnOverride").setJsonName("alpnOverride"));
    var file = FileDescriptorProto.newBuilder().setName("istio/alpn/config.proto").setPackage(PACKAGE).setSyntax("proto3")
        .addMessageType(config).build();
    try {
      var fd = Descriptors.FileDescriptor.buildFrom(file, new Descriptors.FileDescriptor[0]);
      CONFIG = fd.findMessageTypeByName("FilterConfig");
      OVERRIDE = CONFIG.findNestedTypeByName("AlpnOverride");
      PROTOCOL = CONFIG.findEnumTypeByName("Protocol");
    } catch (Descriptors.DescriptorValidationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private IstioAlpnFilter() {}

  /** The FilterConfig message type. */
  public static Descriptor descriptor() {
    return CONFIG;
  }

  /** Whether {@code any} holds this filter's config. */
  public static boolean is(Any any) {
    return any.getTypeUrl().endsWith("/" + CONFIG.getFullName());
  }

  /** Istio's config: HTTP/1.0, HTTP/1.1 and HTTP/2 each to their {@code istio-*} ALPN. */
  public static Any istioDefaults() {
    var m = new EnumMap<Protocol, List<String>>(Protocol.class);
    m.put(Protocol.HTTP10, HTTP10);
    m.put(Protocol.HTTP11, HTTP11);
    m.put(Protocol.HTTP2, HTTP2);
    return any(m);
  }

  /** The config mapping each protocol of {@code overrides} to its ALPN list. */
  public static Any any(Map<Protocol, List<String>> overrides) {
    var config = DynamicMessage.newBuilder(CONFIG);
    var list = CONFIG.findFieldByName("alpn_override");
    for (var e : overrides.entrySet()) {
      var o = DynamicMessage.newBuilder(OVERRIDE)
          .setField(OVERRIDE.findFieldByName("upstream_protocol"), PROTOCOL.findValueByNumber(e.getKey().ordinal()));
      for (var alpn : e.getValue()) {
        o.addRepeatedField(OVERRIDE.findFieldByName("alpn_override"), alpn);
      }
      config.addRepeatedField(list, o.build());
    }
    return Any.newBuilder().setTypeUrl(EnvoyTypes.typeUrl(CONFIG)).setValue(config.build().toByteString()).build();
  }

  /**
   * The overrides in {@code any}: protocol to ALPN list (a protocol listed twice: the last wins, an
   * empty list: no override for it, as Istio's filter treats them).
   */
  public static Map<Protocol, List<String>> overrides(Any any) throws InvalidProtocolBufferException {
    var msg = DynamicMessage.parseFrom(CONFIG, any.getValue());
    var out = new EnumMap<Protocol, List<String>>(Protocol.class);
    var list = CONFIG.findFieldByName("alpn_override");
    for (int i = 0; i < msg.getRepeatedFieldCount(list); i++) {
      var o = (DynamicMessage) msg.getRepeatedField(list, i);
      var p = (Descriptors.EnumValueDescriptor) o.getField(OVERRIDE.findFieldByName("upstream_protocol"));
      if (p.getIndex() < 0 || p.getNumber() >= Protocol.values().length) {
        throw new InvalidProtocolBufferException("upstream_protocol " + p.getNumber() + " is not HTTP10, HTTP11 or HTTP2");
      }
      var alpn = new ArrayList<String>();
      var f = OVERRIDE.findFieldByName("alpn_override");
      for (int j = 0; j < o.getRepeatedFieldCount(f); j++) {
        alpn.add((String) o.getRepeatedField(f, j));
      }
      if (alpn.isEmpty()) {
        out.remove(Protocol.values()[p.getNumber()]);
      } else {
        out.put(Protocol.values()[p.getNumber()], List.copyOf(alpn));
      }
    }
    return out;
  }
}
