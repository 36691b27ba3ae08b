package io.meshwork.config.kube;

/** A Kubernetes port protocol. */
public enum Protocol {
  TCP,
  UDP,
  SCTP
}
