/**
 * Cross-resource analysis, like {@code istioctl analyze} and Kiali's validations: findings with a
 * stable code, a severity, the resource, the field path and a sentence. See ANALYSIS.md in this module.
 */
package io.meshwork.config.analysis;
