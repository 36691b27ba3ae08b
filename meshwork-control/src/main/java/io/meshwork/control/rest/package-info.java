/**
 * The REST API on 15014: Kubernetes-shaped resource paths over the config store, a batch apply and
 * delete for the CLI, {@code /debug/...} introspection and {@code /metrics}.
 */
package io.meshwork.control.rest;
