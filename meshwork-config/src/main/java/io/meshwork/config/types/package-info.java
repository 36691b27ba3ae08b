/** Value types shared by several kinds: durations and the like. */
package io.meshwork.config.types;
