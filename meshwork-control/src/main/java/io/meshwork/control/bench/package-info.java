/** The control plane's scale benchmark: many services and many simulated proxies (in-process xDS clients). */
package io.meshwork.control.bench;
