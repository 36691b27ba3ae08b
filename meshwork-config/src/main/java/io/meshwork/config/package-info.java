/**
 * The configuration model: kinds, resources and the loader that turns YAML or JSON documents into
 * validated, typed {@link io.meshwork.config.Resource}s. One model, one parser, one validator for
 * the CLI, the control plane and the console.
 */
package io.meshwork.config;
