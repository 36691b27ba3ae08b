/**
 * The config store: validated resources with resource versions, atomic batch writes, watchers, and
 * the {@code --config-dir} directory source.
 */
package io.meshwork.control.store;
