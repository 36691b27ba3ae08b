/**
 * The console's side of the control plane: where the proxies are (metrics targets), what the
 * config is (validations from the analyzer, graph badges), and writes through the control plane's
 * REST API (config editing and the traffic-shifting / fault-injection wizards). The console never
 * holds config of its own: every answer is computed from what the control plane serves now.
 */
package io.meshwork.console.control;
