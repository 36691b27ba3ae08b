package io.meshwork.console.graph;

import java.util.Locale;

/** Kiali's graph types. */
public enum GraphType {
  APP("app"), VERSIONED_APP("versionedApp"), WORKLOAD("workload"), SERVICE("service");

  final String kiali;

  GraphType(String kiali) {
    this.kiali = kiali;
  }

  /** Parses Kiali's spelling; throws naming the parameter otherwise. */
  public static GraphType of(String s) {
    for (GraphType t : values()) {
      if (t.kiali.equals(s) || t.name().equals(s.toUpperCase(Locale.ROOT))) {
        return t;
      }
    }
    throw new IllegalArgumentException("parameter graphType=" + s + " must be app, versionedApp, workload or service");
  }
}
