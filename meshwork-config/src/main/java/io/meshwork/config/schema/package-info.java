/**
 * The schema machinery: constraint annotations on model records, the {@link io.meshwork.config.schema.Binder}
 * that binds and checks JSON trees in one walk, and Kubernetes-style field errors.
 */
package io.meshwork.config.schema;
