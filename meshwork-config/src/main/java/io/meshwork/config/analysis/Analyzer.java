package io.meshwork.config.analysis;

/** One cross-resource check. Analyzers are stateless and read only the index. */
interface Analyzer {
  void analyze(MeshIndex index, Findings out);
}
