/** Value types shared by several kinds: durations, Kubernetes int-or-string and the like. */
package io.meshwork.config.types;
