/**
 * Threads that do the proxy's deferred work (span export, access-log writing) beside the event
 * loops, started at a lower scheduling priority so that on a machine with few cores they take the
 * CPU only when no event loop wants it.
 */
package io.meshwork.proxy.background;
